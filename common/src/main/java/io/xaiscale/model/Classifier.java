package io.xaiscale.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A loaded image classifier: the DJL model with its {@code features}/{@code head} split, its card and
 * preprocessing. Inputs are always {@code [N, C, H, W]} in the card's size with pixel values in
 * [0, 1]; normalisation happens inside {@link #logits}, so gradients and baselines live in pixel
 * space. Thread-safe for inference; gradient work goes through {@link Autograd}.
 */
public final class Classifier implements AutoCloseable {
    private final ModelCard card;
    private final Model model;
    private final SequentialBlock features;
    private final SequentialBlock head;
    private final List<String> featureLayers;
    private final ParameterStore parameters;
    private final Scripted scripted;
    private final NDArray mean;
    private final NDArray std;
    private final String weightsSha256;
    private final int internalBatchSize;
    /** The views of {@link #withInputShift} by shift and internal batch size, shared by every view of the model. */
    private final ConcurrentHashMap<String, Classifier> shifted;
    /**
     * State derived from the weights and normalisation (the propagation walk, randomised copies), built
     * once and shared by every view of the same network: views of other internal batch sizes share it,
     * a view of another input shift has its own.
     */
    private final ConcurrentHashMap<Object, Object> derived;

    /** The default of {@link #internalBatchSize()}: samples per model pass inside a method. */
    public static final int DEFAULT_INTERNAL_BATCH_SIZE = 64;

    private Classifier(ModelCard card, Model model, Architectures.Built built, String weightsSha256) {
        this(card, model, built, null, weightsSha256);
    }

    private Classifier(
            ModelCard card, Model model, Architectures.Built built, Scripted scripted, String weightsSha256) {
        this.card = card;
        this.model = model;
        this.scripted = scripted;
        this.features = built == null ? null : built.features();
        this.head = built == null ? null : built.head();
        this.featureLayers = built == null ? scripted.featureLayers() : built.featureLayers();
        this.parameters = new ParameterStore(model.getNDManager(), false);
        int c = card.input().channels();
        this.mean = model.getNDManager().create(card.preprocessing().mean(), new Shape(1, c, 1, 1));
        this.std = model.getNDManager().create(card.preprocessing().std(), new Shape(1, c, 1, 1));
        this.weightsSha256 = weightsSha256;
        this.internalBatchSize = DEFAULT_INTERNAL_BATCH_SIZE;
        this.shifted = new ConcurrentHashMap<>();
        this.derived = new ConcurrentHashMap<>();
    }

    private Classifier(Classifier like, int internalBatchSize) {
        this(like, internalBatchSize, like.mean);
    }

    private Classifier(Classifier like, int internalBatchSize, NDArray mean) {
        this.card = like.card;
        this.model = like.model;
        this.scripted = like.scripted;
        this.features = like.features;
        this.head = like.head;
        this.featureLayers = like.featureLayers;
        this.parameters = like.parameters;
        this.mean = mean;
        this.std = like.std;
        this.weightsSha256 = like.weightsSha256;
        this.internalBatchSize = internalBatchSize;
        this.shifted = like.shifted;
        this.derived = mean == like.mean ? like.derived : new ConcurrentHashMap<>();
    }

    /** Loads the model described by {@code dir/model.json} on the CPU. */
    public static Classifier load(Path dir) throws IOException {
        return load(dir, Device.cpu());
    }

    /** Loads the model described by {@code dir/model.json} (weights verified against the card's hash) onto {@code device}. */
    public static Classifier load(Path dir, Device device) throws IOException {
        ModelCard card = ModelCard.read(dir);
        Path weights = dir.resolve(card.weights());
        if (!Files.isRegularFile(weights)) {
            throw new IOException("Weights file not found: " + weights + " (named by 'weights' in "
                    + dir.resolve(ModelCard.FILE_NAME) + ")");
        }
        String sha;
        try (InputStream in = Files.newInputStream(weights)) {
            sha = Hashing.sha256Hex(in);
        }
        if (card.weightsSha256() != null && !card.weightsSha256().equals(sha)) {
            throw new IOException("Weights " + weights + " do not match the card: sha256 " + sha
                    + " but 'weights_sha256' says " + card.weightsSha256());
        }
        if (ModelCard.TORCHSCRIPT.equals(card.format())) {
            Model model = Model.newInstance(card.id(), device, "PyTorch");
            try {
                Scripted s = Scripted.load(model, weights, card);
                return new Classifier(card, model, null, s, sha);
            } catch (RuntimeException | IOException | MalformedModelException e) {
                model.close();
                throw new IOException(
                        "Cannot load TorchScript model " + weights + " for " + card.key() + ": " + e.getMessage(), e);
            }
        }
        Architectures.Built built = Architectures.build(card);
        Model model = Model.newInstance(card.id(), device, "PyTorch");
        model.setBlock(built.block());
        if (ModelCard.STATE_DICT.equals(card.format())) {
            built.block()
                    .initialize(
                            model.getNDManager(), DataType.FLOAT32, card.input().shape(1));
            try (NDManager tmp = model.getNDManager().newSubManager()) {
                Map<String, NDArray> arrays = StateDict.read(weights, tmp);
                if (Vit.configOf(card) != null) {
                    arrays = Vit.torchvisionNames(arrays);
                }
                StateDict.copy(arrays, built, weights.toString(), card.architecture());
            } catch (RuntimeException | IOException e) {
                model.close();
                throw e;
            }
        } else {
            String name = card.weights().replaceFirst("-\\d{4}\\.params$", "");
            try {
                model.load(dir, name);
            } catch (MalformedModelException | IOException e) {
                model.close();
                throw new IOException(
                        "Cannot load weights " + weights + " for model " + card.key() + ": " + e.getMessage(), e);
            }
        }
        built.block().freezeParameters(true);
        return new Classifier(card, model, built, sha);
    }

    /** Wraps a freshly built or trained architecture (used by training and tests). */
    public static Classifier of(ModelCard card, Model model, Architectures.Built built) {
        return new Classifier(card, model, built, null);
    }

    public ModelCard card() {
        return card;
    }

    public Model model() {
        return model;
    }

    /** sha256 of the weights file, or null for an in-memory model. */
    public String weightsSha256() {
        return weightsSha256;
    }

    public int channels() {
        return card.input().channels();
    }

    public int height() {
        return card.input().height();
    }

    public int width() {
        return card.input().width();
    }

    public int numClasses() {
        return card.classes().size();
    }

    public List<String> featureLayers() {
        return featureLayers;
    }

    /** Whether this is an opaque TorchScript module (no layer structure: {@link #features()} and {@link #head()} are null). */
    public boolean isScripted() {
        return scripted != null;
    }

    /** The convolutional trunk, whose children are the {@link #featureLayers()} in order; null for TorchScript. */
    public SequentialBlock features() {
        return features;
    }

    /** Pooling and classifier, applied to the output of {@link #features()}. */
    public SequentialBlock head() {
        return head;
    }

    /** The store through which blocks of this model are run (eval mode, frozen weights). */
    public ParameterStore parameterStore() {
        return parameters;
    }

    /** Per-channel normalisation {@code (x - mean) / std}, as {@code [1, C, 1, 1]} arrays. */
    public NDArray normalizationMean() {
        return mean;
    }

    /** Upper bound on samples per model pass when a method runs many perturbed copies. */
    public int internalBatchSize() {
        return internalBatchSize;
    }

    /**
     * This model with another internal batch size: a view sharing the weights (nothing is copied), so
     * each task or call chooses its own without changing a model that other threads share.
     */
    public Classifier withInternalBatchSize(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("Invalid internal batch size: " + n + " (must be > 0)");
        }
        return n == internalBatchSize ? this : new Classifier(this, n);
    }

    /**
     * The state of kind {@code key} derived from this network (its weights and normalisation), built by
     * {@code build} on first use and kept with the model: every view of the same network, whatever its
     * internal batch size, gets the same instance, so per-task views never multiply it (native memory
     * stays flat over any number of tasks). {@code build} receives the view that first asked.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Object key, Function<Classifier, T> build) {
        return (T) derived.computeIfAbsent(key, k -> build.apply(this));
    }

    /** How many derived states this network holds (for tests: it must not grow with tasks). */
    public int derivedCount() {
        return derived.size();
    }

    /**
     * The network of this model for inputs shifted by {@code shift} (every channel): a view whose
     * normalisation subtracts the shift first, so {@code shifted.logits(x + shift) = logits(x)}, which
     * is how Kindermans et al. (2017) build the two equivalent networks of the input-invariance test (a
     * first-layer bias absorbing the shift). One view per shift, kept with the model (per-model state
     * such as the propagation walk is then built once, not per batch).
     */
    public Classifier withInputShift(float shift) {
        Classifier base = this;
        return shifted.computeIfAbsent(shift + "|" + internalBatchSize, k -> {
            NDArray m = model.getNDManager()
                    .create(card.preprocessing().mean(), mean.getShape())
                    .add(shift);
            return new Classifier(base, internalBatchSize, m);
        });
    }

    /**
     * Pixel-space RGB input to what the network takes: channels reversed for a BGR model, then
     * {@code (x - mean) / std} with the card's mean and std (listed in the model's channel order).
     */
    public NDArray normalize(NDArray x) {
        NDArray ordered = card.preprocessing().bgr() && x.getShape().get(1) == 3 ? x.flip(1) : x;
        return ordered.sub(mean).div(std);
    }

    /** Logits {@code [N, K]} for pixel-space inputs {@code [N, C, H, W]}. */
    public NDArray logits(NDArray x) {
        checkInput(x);
        if (scripted != null) {
            return scripted.call(null, normalize(x));
        }
        NDList f = features.forward(parameters, new NDList(normalize(x)), false);
        return head.forward(parameters, f, false).singletonOrThrow();
    }

    /** Activations after feature layer {@code layer} (inclusive), from pixel-space inputs. */
    public NDArray activations(NDArray x, String layer) {
        checkInput(x);
        int end = layerIndex(layer);
        if (scripted != null) {
            return scripted.call(scripted.featuresMethod(), normalize(x));
        }
        NDList cur = new NDList(normalize(x));
        List<Block> children = featureBlocks();
        for (int i = 0; i <= end; i++) {
            cur = children.get(i).forward(parameters, cur, false);
        }
        return cur.singletonOrThrow();
    }

    /**
     * Feature layer {@code layer} alone, on the activations of the layer before it (a transformer's
     * block on its input tokens, say); not on TorchScript.
     */
    public NDArray layerForward(NDArray activations, String layer) {
        if (scripted != null) {
            throw new IllegalStateException("Model " + card.key() + " is TorchScript: its layers cannot run alone");
        }
        return featureBlocks()
                .get(layerIndex(layer))
                .forward(parameters, new NDList(activations), false)
                .singletonOrThrow();
    }

    /** Logits from the activations after feature layer {@code layer}: the rest of the net. */
    public NDArray logitsFrom(NDArray activations, String layer) {
        int start = layerIndex(layer) + 1;
        if (scripted != null) {
            return scripted.call(scripted.headMethod(), activations);
        }
        NDList cur = new NDList(activations);
        List<Block> children = featureBlocks();
        for (int i = start; i < children.size(); i++) {
            cur = children.get(i).forward(parameters, cur, false);
        }
        return head.forward(parameters, cur, false).singletonOrThrow();
    }

    /**
     * The default layer of CAM methods unless the card names one: the last feature layer, or a Vision
     * Transformer's last block's input (its final tokens reach the class only through the class token).
     */
    public String defaultCamLayer() {
        if (card.camLayer() != null) {
            return card.camLayer();
        }
        if (featureLayers.isEmpty()) {
            throw new IllegalArgumentException("Model " + card.key() + " has no feature layer for CAM methods"
                    + (scripted != null
                            ? " (export 'features' and 'head' methods from the TorchScript module and name them in the card's 'script_methods')"
                            : ""));
        }
        List<Integer> blocks = Vit.configOf(card) != null ? Vit.blocks(featureLayers) : List.of();
        if (!blocks.isEmpty()) {
            // the last block's input: the last block's patch tokens reach the class only through its class token
            return featureLayers.get(blocks.get(blocks.size() - 1) - 1);
        }
        return featureLayers.get(featureLayers.size() - 1);
    }

    public int layerIndex(String layer) {
        int i = featureLayers.indexOf(layer);
        if (i < 0) {
            throw new IllegalArgumentException("Unknown layer: " + layer + " (valid for " + card.key() + ": "
                    + String.join(", ", featureLayers) + ")");
        }
        return i;
    }

    /** The block of feature layer {@code layer} (its parameters are the layer's weights); not for TorchScript models. */
    public Block layerBlock(String layer) {
        if (scripted != null) {
            throw new IllegalArgumentException("Model " + card.key()
                    + " is TorchScript: its layers' weights are not visible (use a state-dict card to see kernels)");
        }
        return featureBlocks().get(layerIndex(layer));
    }

    private List<Block> featureBlocks() {
        List<Block> out = new ArrayList<>();
        features.getChildren().values().forEach(out::add);
        return out;
    }

    private void checkInput(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != channels() || s.get(2) != height() || s.get(3) != width()) {
            throw new IllegalArgumentException("Invalid input shape: " + s + " (model " + card.key() + " takes [N, "
                    + channels() + ", " + height() + ", " + width() + "])");
        }
    }

    /** Softmax probabilities, without autograd, in chunks of {@link #internalBatchSize()}. */
    /**
     * Checks that the weights give one logit per class of the card (a forward pass of zeros): a card
     * that lists 9 classes for weights with 10 outputs would label every prediction wrongly.
     */
    public void checkOutputs() {
        try (NDManager tmp = manager().newSubManager()) {
            NDArray zeros = tmp.zeros(new Shape(1, channels(), height(), width()));
            long outputs = logitsNoGrad(zeros).getShape().get(1);
            if (outputs != numClasses()) {
                throw new IllegalArgumentException("Model " + card.key() + ": the weights give " + outputs
                        + " logits but model.json lists " + numClasses()
                        + " classes ('classes' must name one class per output, in order)");
            }
        }
    }

    public NDArray probabilities(NDArray x) {
        return logitsNoGrad(x).softmax(1);
    }

    /** Logits, without autograd, in chunks of {@link #internalBatchSize()}. */
    public NDArray logitsNoGrad(NDArray x) {
        try (GradMode off = GradMode.off()) {
            return Chunks.apply(x, internalBatchSize, (c, r) -> logits(c));
        }
    }

    /**
     * Input gradients of the target logits, in chunks of {@link #internalBatchSize()}: row i is
     * {@code d logit[targets[i]] / d x[i]}.
     */
    public NDArray inputGradient(NDArray x, int[] targets) {
        return gradient(x, targets).gradient();
    }

    /**
     * Input gradients of each sample's target logit with the logits of the same forward pass, in chunks
     * of {@link #internalBatchSize()}; {@code targets} null takes each sample's predicted class.
     */
    public Autograd.Pass gradient(NDArray x, int[] targets) {
        NDList out = Chunks.map(x, internalBatchSize, (c, r) -> {
            Autograd.Pass p = Autograd.gradient(this::logits, c, targets == null ? null : r.of(targets));
            return new NDList(p.gradient(), p.scores());
        });
        return new Autograd.Pass(out.get(0), out.get(1));
    }

    public NDManager manager() {
        return model.getNDManager();
    }

    @Override
    public void close() {
        model.close();
    }
}
