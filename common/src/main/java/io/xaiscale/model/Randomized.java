package io.xaiscale.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Copies of a model with some weight layers re-drawn at random, for the model-randomisation sanity
 * check (Adebayo et al. 2018). Weight layers (convolutions and dense layers, in forward order) are
 * counted from the output: {@code depth = 1} is the last dense layer. {@code cascade} re-draws the
 * top {@code depth} layers, otherwise only the {@code depth}-th. How a layer is re-drawn is the
 * {@link Reset}. Seeded; one copy per network and setting, kept with the network for reuse.
 */
public final class Randomized {
    private Randomized() {}

    /** How a randomised layer gets its new values. */
    public enum Reset {
        /**
         * As the reference implementations (Quantus's randomisation calls each PyTorch module's
         * {@code reset_parameters}): convolution and dense weights and biases uniform in +-1/sqrt(fan_in)
         * (PyTorch's default initialisation), and every normalisation layer in the re-drawn part reset
         * too (scale 1, shift 0, running mean 0, running variance 1). As in the reference, what has no
         * {@code reset_parameters} in PyTorch keeps its values: a ViT's attention input projection, class
         * token and position embedding.
         */
        PYTORCH,
        /**
         * The earlier draw: only convolution and dense layers, weights and biases Gaussian with the
         * standard deviation of the originals; normalisation layers keep their trained values.
         */
        GAUSSIAN;

        /** The metric parameter's choices, in the order of the constants. */
        public static final List<String> CHOICES = List.of("pytorch", "gaussian");

        public static Reset of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /** The weight layers of a block tree, in forward order. */
    public static List<Block> weightLayers(Block root) {
        List<Block> out = new ArrayList<>();
        collect(root, out, false);
        return out;
    }

    /** The weight and normalisation layers of a block tree, in forward order. */
    static List<Block> parameterLayers(Block root) {
        List<Block> out = new ArrayList<>();
        collect(root, out, true);
        return out;
    }

    private static void collect(Block b, List<Block> out, boolean norms) {
        if (b instanceof Conv2d
                || b instanceof Linear
                || (norms && (b instanceof BatchNorm || b instanceof LayerNorm))) {
            out.add(b);
        } else if (b instanceof SequentialBlock || b instanceof ParallelBlock) {
            for (Block c : b.getChildren().values()) {
                collect(c, out, norms);
            }
        }
    }

    /** What a randomised copy is kept under, with the network it copies ({@link Classifier#derived}). */
    private record Key(int depth, boolean cascade, long seed, Reset reset) {}

    /**
     * The copy of {@code base}'s network with these layers re-drawn: built once per network and setting,
     * kept with the network (never per view or task), at {@code base}'s internal batch size.
     */
    public static Classifier of(Classifier base, int depth, boolean cascade, long seed, Reset reset) {
        Classifier copy =
                base.derived(new Key(depth, cascade, seed, reset), b -> build(b, depth, cascade, seed, reset));
        return copy.withInternalBatchSize(base.internalBatchSize());
    }

    private static Classifier build(Classifier base, int depth, boolean cascade, long seed, Reset reset) {
        ModelCard card = base.card();
        card.requireLayers("model randomisation");
        Architectures.Built built = Architectures.build(card);
        Model model = Model.newInstance(
                card.id() + "-randomized", base.model().getNDManager().getDevice(), "PyTorch");
        model.setBlock(built.block());
        built.block()
                .initialize(model.getNDManager(), DataType.FLOAT32, card.input().shape(1));
        built.block().freezeParameters(true);
        var from = base.model().getBlock().getParameters();
        var to = built.block().getParameters();
        if (from.size() != to.size()) {
            model.close();
            throw new IllegalArgumentException(
                    "Cannot randomise " + card.key() + ": its blocks do not match architecture " + card.architecture());
        }
        for (int i = 0; i < from.size(); i++) {
            NDArray dst = to.valueAt(i).getArray();
            StateDict.write(dst, from.valueAt(i).getArray());
        }
        List<Block> layers = weightLayers(built.block());
        if (depth < 1 || depth > layers.size()) {
            model.close();
            throw new IllegalArgumentException("Invalid depth for model randomisation: " + depth + " (model "
                    + card.key() + " has " + layers.size() + " weight layers: 1 to " + layers.size() + ")");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        Block deepest = layers.get(layers.size() - depth);
        List<Block> redrawn = new ArrayList<>();
        if (!cascade) {
            redrawn.add(deepest);
        } else if (reset == Reset.GAUSSIAN) {
            redrawn.addAll(layers.subList(layers.size() - depth, layers.size()));
        } else {
            List<Block> all = parameterLayers(built.block());
            redrawn.addAll(all.subList(all.indexOf(deepest), all.size()));
        }
        for (int k = redrawn.size() - 1; k >= 0; k--) { // drawn from the output down
            Block layer = redrawn.get(k);
            if (reset == Reset.GAUSSIAN) {
                gaussian(layer, rnd);
            } else {
                pytorch(layer, rnd);
            }
        }
        return Classifier.of(card, model, built);
    }

    /** Weights and biases Gaussian with the standard deviation of the originals. */
    private static void gaussian(Block layer, SplittableRandom rnd) {
        for (var p : layer.getParameters()) {
            NDArray arr = p.getValue().getArray();
            float[] v = arr.toType(DataType.FLOAT32, false).toFloatArray();
            double mean = 0;
            for (float f : v) {
                mean += f;
            }
            mean /= v.length;
            double var = 0;
            for (float f : v) {
                var += (f - mean) * (f - mean);
            }
            double sd = v.length > 1 ? Math.sqrt(var / v.length) : 0.1;
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) (sd * rnd.nextGaussian());
            }
            StateDict.write(arr, arr.getManager().create(v, arr.getShape()));
        }
    }

    /**
     * PyTorch's {@code reset_parameters}: a convolution's or dense layer's weight (kaiming uniform,
     * a = sqrt(5)) and bias both uniform in +-1/sqrt(fan_in), fan_in = the weight's size over its
     * first dimension; a BatchNorm's scale 1, shift 0, running mean 0, running variance 1.
     */
    private static void pytorch(Block layer, SplittableRandom rnd) {
        if (layer instanceof BatchNorm || layer instanceof LayerNorm) {
            for (var p : layer.getParameters()) {
                NDArray arr = p.getValue().getArray();
                float value = p.getKey().equals("gamma") || p.getKey().equals("runningVar") ? 1f : 0f;
                StateDict.write(arr, arr.onesLike().mul(value));
            }
            return;
        }
        Shape weight = layer.getParameters().get("weight").getArray().getShape();
        double bound = 1.0 / Math.sqrt((double) weight.size() / weight.get(0));
        for (var p : layer.getParameters()) {
            NDArray arr = p.getValue().getArray();
            float[] v = new float[(int) arr.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) (bound * (2 * rnd.nextDouble() - 1));
            }
            StateDict.write(arr, arr.getManager().create(v, arr.getShape()));
        }
    }
}
