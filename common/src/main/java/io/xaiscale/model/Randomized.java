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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Copies of a model with some weight layers re-drawn at random, for the model-randomisation sanity
 * check (Adebayo et al. 2018). Weight layers (convolutions and dense layers, in forward order) are
 * counted from the output: {@code depth = 1} is the last dense layer. {@code cascade} re-draws the
 * top {@code depth} layers, otherwise only the {@code depth}-th. New weights and biases are Gaussian
 * with the standard deviation of the originals, seeded. One copy per network and setting, kept with the
 * network for reuse.
 */
public final class Randomized {
    private Randomized() {}

    /** The weight layers of a block tree, in forward order. */
    public static List<Block> weightLayers(Block root) {
        List<Block> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Block b, List<Block> out) {
        if (b instanceof Conv2d || b instanceof Linear) {
            out.add(b);
        } else if (b instanceof SequentialBlock || b instanceof ParallelBlock) {
            for (Block c : b.getChildren().values()) {
                collect(c, out);
            }
        }
    }

    /** What a randomised copy is kept under, with the network it copies ({@link Classifier#derived}). */
    private record Key(int depth, boolean cascade, long seed) {}

    /**
     * The copy of {@code base}'s network with these layers re-drawn: built once per network and setting,
     * kept with the network (never per view or task), at {@code base}'s internal batch size.
     */
    public static Classifier of(Classifier base, int depth, boolean cascade, long seed) {
        Classifier copy = base.derived(new Key(depth, cascade, seed), b -> build(b, depth, cascade, seed));
        return copy.withInternalBatchSize(base.internalBatchSize());
    }

    private static Classifier build(Classifier base, int depth, boolean cascade, long seed) {
        ModelCard card = base.card();
        card.requireLayers("model randomisation");
        Architectures.Built built = Architectures.build(card);
        Model model = Model.newInstance(
                card.id() + "-randomized", base.model().getNDManager().getDevice(), "PyTorch");
        model.setBlock(built.block());
        built.block()
                .initialize(
                        model.getNDManager(),
                        DataType.FLOAT32,
                        new Shape(
                                1,
                                card.input().channels(),
                                card.input().height(),
                                card.input().width()));
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
        for (int k = 1; k <= depth; k++) {
            if (!cascade && k != depth) {
                continue;
            }
            for (var p : layers.get(layers.size() - k).getParameters()) {
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
        return Classifier.of(card, model, built);
    }
}
