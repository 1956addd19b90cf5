package io.xaiscale;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.model.StateDict;
import io.xaiscale.model.Vit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/** Hand-built models with closed-form answers, and the shipped model. */
public final class TestModels {
    /** The shipped, trained model directory. */
    public static Path shipped() {
        return locate("models/fmnist-loc-cnn");
    }

    private TestModels() {}

    public static Path locate(String rel) {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !p.resolve(rel).toFile().exists()) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    "Cannot find " + rel + " above " + Path.of("").toAbsolutePath());
        }
        return p.resolve(rel);
    }

    static ModelCard card(String id, int c, int h, int w, int classes, String camLayer) {
        float[] mean = new float[c];
        float[] std = new float[c];
        Arrays.fill(std, 1f);
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            names.add("class" + k);
        }
        return new ModelCard(
                id,
                "test",
                "djl",
                Architectures.SMALL_CNN,
                "none",
                null,
                new ModelCard.Input(c, h, w),
                new ModelCard.Preprocessing("bilinear", mean, std),
                names,
                camLayer,
                null,
                null);
    }

    /** {@code f(x) = W x + b} over the flattened input; {@code weights} is {@code [classes, c*h*w]} row-major. */
    public static Classifier linear(float[] weights, float[] bias, int c, int h, int w) {
        int classes = bias.length;
        SequentialBlock features = new SequentialBlock().add(Blocks.batchFlattenBlock());
        Linear dense = Linear.builder().setUnits(classes).build();
        SequentialBlock head = new SequentialBlock().add(dense);
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        Model model = Model.newInstance("linear", "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, c, h, w));
        block.freezeParameters(true);
        set(dense, "weight", weights);
        set(dense, "bias", bias);
        return Classifier.of(
                card("linear", c, h, w, classes, null),
                model,
                new Architectures.Built(block, features, head, List.of("flatten")));
    }

    /**
     * Grad-CAM reference net: a bias-free 1x1 convolution with {@code filters[k]} (one input channel),
     * global average pooling and a bias-free dense layer {@code dense} ({@code [classes, K]}).
     */
    public static Classifier camNet(float[] filters, float[] dense, int classes, int h, int w) {
        Conv2d conv = Conv2d.builder()
                .setKernelShape(new Shape(1, 1))
                .setFilters(filters.length)
                .optBias(false)
                .build();
        return gapNet("camnet", conv, filters, dense, classes, h, w);
    }

    /**
     * One bias-free {@code k x k} convolution of one filter over one channel (no padding: the feature
     * layer "conv" is {@code (h - k + 1) x (w - k + 1)}), global average pooling and a dense layer to
     * two classes ({@code +1} and {@code -1} times the channel's mean): unit (y, x) of "conv" is the
     * linear filter {@code filter} on the patch at (y, x).
     */
    public static Classifier filterNet(float[] filter, int k, int h, int w) {
        Conv2d conv = Conv2d.builder()
                .setKernelShape(new Shape(k, k))
                .setFilters(1)
                .optBias(false)
                .build();
        return gapNet("filternet", conv, filter, new float[] {1f, -1f}, 2, h, w);
    }

    /**
     * A bias-free convolution {@code conv} (feature layer "conv", one input channel) with weights
     * {@code filters}, global average pooling and a bias-free dense layer {@code dense} ({@code
     * [classes, K]}).
     */
    private static Classifier gapNet(
            String id, Conv2d conv, float[] filters, float[] dense, int classes, int h, int w) {
        SequentialBlock features = new SequentialBlock().add(conv);
        Linear fc = Linear.builder().setUnits(classes).optBias(false).build();
        SequentialBlock head = new SequentialBlock()
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(fc);
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        Model model = Model.newInstance(id, "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, h, w));
        block.freezeParameters(true);
        set(conv, "weight", filters);
        set(fc, "weight", dense);
        return Classifier.of(
                card(id, 1, h, w, classes, null),
                model,
                new Architectures.Built(block, features, head, List.of("conv")));
    }

    /** A randomly initialised small CNN (BatchNorm in eval mode with fresh statistics). */
    public static Classifier randomSmallCnn(int seed, int side, int classes) {
        return random(Architectures.SMALL_CNN, seed, side, classes, false);
    }

    /**
     * A randomly initialised project architecture; with {@code randomBatchNorm} every BatchNorm gets
     * random scale, shift and running statistics, so that folding it is really exercised.
     */
    public static Classifier random(String architecture, int seed, int side, int classes, boolean randomBatchNorm) {
        Engine.getInstance().setRandomSeed(seed);
        Architectures.Built built = Architectures.build(architecture, classes);
        Model model = Model.newInstance("random-" + architecture, "PyTorch");
        model.setBlock(built.block());
        built.block().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, side, side));
        built.block().freezeParameters(true);
        if (randomBatchNorm) {
            Random rnd = new Random(seed);
            for (var pair : built.block().getParameters()) {
                String k = pair.getKey();
                NDArray arr = pair.getValue().getArray();
                float[] v = new float[(int) arr.getShape().size()];
                boolean scale = k.endsWith("gamma") || k.endsWith("runningVar");
                boolean shift = k.endsWith("beta") || k.endsWith("runningMean");
                if (!scale && !shift) {
                    continue;
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] = scale ? 0.5f + rnd.nextFloat() : (float) (0.3 * rnd.nextGaussian());
                }
                arr.set(v);
            }
        }
        ModelCard card = card("random-" + architecture, 1, side, side, classes, null);
        return Classifier.of(
                new ModelCard(
                        card.id(),
                        card.version(),
                        card.format(),
                        architecture,
                        card.weights(),
                        card.weightsSha256(),
                        card.input(),
                        new ModelCard.Preprocessing("bilinear", new float[] {0.3f}, new float[] {0.4f}),
                        card.classes(),
                        null,
                        null,
                        null),
                model,
                built);
    }

    /**
     * A randomly initialised small Vision Transformer on one-channel {@code side x side} inputs: patches of
     * 8 pixels, 2 encoder layers of 4 heads, hidden 32, MLP 64 (DJL's initialisation, seeded).
     */
    public static Classifier randomVit(int seed, int side, int classes) {
        ModelCard card = vitCard("random-vit", side, classes);
        Engine.getInstance().setRandomSeed(seed);
        Architectures.Built built = Architectures.build(card);
        Model model = Model.newInstance("random-vit", "PyTorch");
        model.setBlock(built.block());
        built.block()
                .initialize(model.getNDManager(), DataType.FLOAT32, card.input().shape(1));
        built.block().freezeParameters(true);
        return Classifier.of(card, model, built);
    }

    /**
     * {@link #randomVit} (16 x 16, 4 classes) with a block before its encoder that throws "injected
     * fault" once {@link #FAULT_AFTER} reaches 0 (counted down per call), like {@link #faulty}.
     */
    public static Classifier faultyVit(int seed) {
        ModelCard card = vitCard("faulty-vit", 16, 4);
        Engine.getInstance().setRandomSeed(seed);
        Architectures.Built vit = Architectures.build(card);
        LambdaBlock fault = new LambdaBlock(
                list -> {
                    if (FAULT_AFTER.getAndDecrement() == 0) {
                        throw new IllegalStateException("injected fault");
                    }
                    return list;
                },
                "fault");
        List<Block> children = new ArrayList<>(vit.features().getChildren().values());
        SequentialBlock features = new SequentialBlock().add(children.get(0)).add(fault);
        children.subList(1, children.size()).forEach(features::add);
        List<String> names = new ArrayList<>(vit.featureLayers());
        names.add(1, "fault");
        SequentialBlock block = new SequentialBlock().add(features).add(vit.head());
        Model model = Model.newInstance("faulty-vit", "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, card.input().shape(1));
        block.freezeParameters(true);
        return Classifier.of(card, model, new Architectures.Built(block, features, vit.head(), names, vit.modules()));
    }

    /** The card of a small random ViT: one channel, patches of 8, 2 layers of 4 heads, hidden 32, MLP 64. */
    static ModelCard vitCard(String id, int side, int classes) {
        ModelCard plain = card(id, 1, side, side, classes, null);
        return new ModelCard(
                plain.id(),
                plain.version(),
                plain.format(),
                Vit.VIT,
                null,
                new Vit.Config(8, 2, 4, 32, 64),
                null,
                plain.weights(),
                null,
                plain.input(),
                new ModelCard.Preprocessing("bilinear", new float[] {0.3f}, new float[] {0.4f}),
                plain.classes(),
                null,
                null,
                null);
    }

    /** The fixture script's pattern(): n values in [0, 1), a multiplicative hash of the index seeded by the name. */
    public static double[] pattern(String name, long n) {
        long seed = 0;
        for (char ch : name.toCharArray()) {
            seed = (seed * 31 + ch) % (1L << 32);
        }
        double[] out = new double[(int) n];
        for (long i = 0; i < n; i++) {
            out[(int) i] = ((i * 2654435761L + seed) & 0xFFFFFFFFL) / 4294967296.0;
        }
        return out;
    }

    /** The fixture script's value(): the deterministic content of one state-dict entry. */
    public static float[] value(String key, Shape shape, boolean batchNorm) {
        double[] h = pattern(key, shape.size());
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        float[] out = new float[h.length];
        double scale = 2.0 * Math.sqrt(6.0 / (shape.size() / shape.get(0)));
        for (int i = 0; i < h.length; i++) {
            double v;
            if (leaf.equals("weight") && batchNorm) {
                v = 0.8 + 0.4 * h[i];
            } else if (leaf.equals("weight") || leaf.equals("in_proj_weight")) {
                v = (h[i] - 0.5) * scale;
            } else if (leaf.equals("running_var")) {
                v = 0.5 + h[i];
            } else {
                v = (h[i] - 0.5) * 0.2;
            }
            out[i] = (float) v;
        }
        return out;
    }

    /** The card's architecture with every parameter set by the fixture script's pattern, as a classifier. */
    public static Classifier withPatternWeights(ModelCard card, Model model, NDManager m) {
        Architectures.Built built = Architectures.build(card);
        model.setBlock(built.block());
        built.block()
                .initialize(model.getNDManager(), DataType.FLOAT32, card.input().shape(1));
        Map<String, NDArray> sd = new HashMap<>();
        for (StateDict.Entry e : StateDict.entries(built)) {
            sd.put(
                    e.key(),
                    m.create(
                            value(e.key(), e.target().getShape(), e.norm()),
                            e.target().getShape()));
        }
        StateDict.copy(sd, built, "pattern", card.architecture());
        built.block().freezeParameters(true);
        return Classifier.of(card, model, built);
    }

    /** Weights of {@link #tiny}: a 1x1 convolution (3 filters over 2 channels) and a dense layer 12 -> 2. */
    public record Tiny(Classifier model, float[] convW, float[] convB, float[] denseW, float[] denseB) {}

    /**
     * A network small enough to re-implement by hand: input {@code [N, 2, 2, 2]}, 1x1 convolution to
     * 3 channels with bias, ReLU, flatten, dense to 2 classes with bias; seeded weights.
     */
    public static Tiny tiny(long seed) {
        Random rnd = new Random(seed);
        float[] convW = gaussian(rnd, 6);
        float[] convB = gaussian(rnd, 3);
        float[] denseW = gaussian(rnd, 24);
        float[] denseB = gaussian(rnd, 2);
        Conv2d conv =
                Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(3).build();
        SequentialBlock features = new SequentialBlock().add(conv).add(Activation.reluBlock());
        Linear fc = Linear.builder().setUnits(2).build();
        SequentialBlock head =
                new SequentialBlock().add(Blocks.batchFlattenBlock()).add(fc);
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        Model model = Model.newInstance("tiny", "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 2, 2, 2));
        block.freezeParameters(true);
        set(conv, "weight", convW);
        set(conv, "bias", convB);
        set(fc, "weight", denseW);
        set(fc, "bias", denseB);
        Classifier c = Classifier.of(
                card("tiny", 2, 2, 2, 2, null),
                model,
                new Architectures.Built(block, features, head, List.of("conv", "relu")));
        return new Tiny(c, convW, convB, denseW, denseB);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /**
     * A bias-free CNN on {@code 1 x 16 x 16}: conv 3x3 (8) - ReLU - max pool - conv 3x3 (16) - ReLU -
     * global average pooling - dense (10), no bias anywhere and no BatchNorm: LRP-0 conserves exactly.
     */
    public static Classifier biasFree(int seed) {
        Engine.getInstance().setRandomSeed(seed);
        SequentialBlock features = new SequentialBlock()
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .setFilters(8)
                        .optBias(false)
                        .build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .setFilters(16)
                        .optBias(false)
                        .build())
                .add(Activation.reluBlock());
        SequentialBlock head = new SequentialBlock()
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(10).optBias(false).build());
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        Model model = Model.newInstance("bias-free", "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 16, 16));
        block.freezeParameters(true);
        return Classifier.of(
                card("bias-free", 1, 16, 16, 10, null),
                model,
                new Architectures.Built(block, features, head, List.of("conv1", "relu1", "pool1", "conv2", "relu2")));
    }

    /** Calls left before the ReLU of {@link #faulty} throws; negative: never. */
    public static final AtomicInteger FAULT_AFTER = new AtomicInteger(-1);

    /**
     * A small CNN on {@code 1 x 16 x 16} whose first ReLU throws once {@link #FAULT_AFTER} counts down
     * to zero: forces a failure in the middle of any method, forward or backward.
     */
    public static Classifier faulty(int seed) {
        Engine.getInstance().setRandomSeed(seed);
        LambdaBlock relu = new LambdaBlock(
                list -> {
                    if (FAULT_AFTER.getAndDecrement() == 0) {
                        throw new IllegalStateException("injected fault");
                    }
                    return new NDList(list.singletonOrThrow().maximum(0f));
                },
                "ReLU");
        SequentialBlock features = new SequentialBlock()
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .setFilters(8)
                        .build())
                .add(relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        SequentialBlock head = new SequentialBlock()
                .add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(4).build());
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        Model model = Model.newInstance("faulty", "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 16, 16));
        block.freezeParameters(true);
        return Classifier.of(
                card("faulty", 1, 16, 16, 4, null),
                model,
                new Architectures.Built(block, features, head, List.of("conv1", "relu1", "pool1")));
    }

    /** A float64 copy of a loaded model (every parameter and BatchNorm statistic copied and widened). */
    public static Classifier toDouble(Classifier src) {
        ModelCard card = src.card();
        Architectures.Built built =
                Architectures.build(card.architecture(), card.classes().size());
        Model model = Model.newInstance(card.id() + "-f64", "PyTorch");
        model.setBlock(built.block());
        built.block()
                .initialize(model.getNDManager(), DataType.FLOAT64, card.input().shape(1));
        built.block().freezeParameters(true);
        var from = src.model().getBlock().getParameters();
        var to = built.block().getParameters();
        if (from.size() != to.size()) {
            throw new IllegalStateException("parameter count " + from.size() + " vs " + to.size());
        }
        for (int i = 0; i < from.size(); i++) {
            NDArray dst = to.valueAt(i).getArray();
            dst.set(from.valueAt(i).getArray().toType(DataType.FLOAT64, true).toByteBuffer());
        }
        return Classifier.of(card, model, built);
    }

    static void set(Block b, String name, float[] values) {
        for (var pair : b.getParameters()) {
            if (pair.getKey().equals(name) || pair.getKey().endsWith("_" + name)) {
                Parameter p = pair.getValue();
                NDArray arr = p.getArray();
                if (arr.getShape().size() != values.length) {
                    throw new IllegalArgumentException(
                            name + ": expected " + arr.getShape() + " values, got " + values.length);
                }
                arr.set(values);
                return;
            }
        }
        throw new IllegalArgumentException("No parameter " + name + " in " + b);
    }
}
