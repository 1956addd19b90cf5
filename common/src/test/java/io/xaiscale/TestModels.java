package io.xaiscale;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
            throw new IllegalStateException("Cannot find " + rel + " above " + Path.of("").toAbsolutePath());
        }
        return p.resolve(rel);
    }

    static ModelCard card(String id, int c, int h, int w, int classes, String camLayer) {
        float[] mean = new float[c];
        float[] std = new float[c];
        java.util.Arrays.fill(std, 1f);
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            names.add("class" + k);
        }
        return new ModelCard(id, "test", "djl", Architectures.SMALL_CNN, "none", null,
                new ModelCard.Input(c, h, w), new ModelCard.Preprocessing("bilinear", mean, std), names, camLayer, null, null);
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
        return Classifier.of(card("linear", c, h, w, classes, null), model,
                new Architectures.Built(block, features, head, List.of("flatten")));
    }

    /**
     * Grad-CAM reference net: a bias-free 1x1 convolution with {@code filters[k]} (one input channel),
     * global average pooling and a bias-free dense layer {@code dense} ({@code [classes, K]}).
     */
    public static Classifier camNet(float[] filters, float[] dense, int classes, int h, int w) {
        int k = filters.length;
        Conv2d conv = Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(k).optBias(false).build();
        SequentialBlock features = new SequentialBlock().add(conv);
        Linear fc = Linear.builder().setUnits(classes).optBias(false).build();
        SequentialBlock head = new SequentialBlock().add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock()).add(fc);
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        Model model = Model.newInstance("camnet", "PyTorch");
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, h, w));
        block.freezeParameters(true);
        set(conv, "weight", filters);
        set(fc, "weight", dense);
        return Classifier.of(card("camnet", 1, h, w, classes, null), model,
                new Architectures.Built(block, features, head, List.of("conv")));
    }

    /** A randomly initialised small CNN (BatchNorm in eval mode with fresh statistics). */
    public static Classifier randomSmallCnn(int seed, int side, int classes) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
        Architectures.Built built = Architectures.build(Architectures.SMALL_CNN, classes);
        Model model = Model.newInstance("random-cnn", "PyTorch");
        model.setBlock(built.block());
        built.block().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, side, side));
        built.block().freezeParameters(true);
        return Classifier.of(card("random-cnn", 1, side, side, classes, null), model, built);
    }

    /** A float64 copy of a loaded model (every parameter and BatchNorm statistic copied and widened). */
    public static Classifier toDouble(Classifier src) {
        ModelCard card = src.card();
        Architectures.Built built = Architectures.build(card.architecture(), card.classes().size());
        Model model = Model.newInstance(card.id() + "-f64", "PyTorch");
        model.setBlock(built.block());
        built.block().initialize(model.getNDManager(), DataType.FLOAT64,
                new Shape(1, card.input().channels(), card.input().height(), card.input().width()));
        built.block().freezeParameters(true);
        var from = src.model().getBlock().getParameters();
        var to = built.block().getParameters();
        if (from.size() != to.size()) {
            throw new IllegalStateException("parameter count " + from.size() + " vs " + to.size());
        }
        for (int i = 0; i < from.size(); i++) {
            NDArray dst = to.valueAt(i).getArray();
            dst.muli(0).addi(from.valueAt(i).getArray().toType(DataType.FLOAT64, true));
        }
        return Classifier.of(card, model, built);
    }

    static void set(ai.djl.nn.Block b, String name, float[] values) {
        for (var pair : b.getParameters()) {
            if (pair.getKey().equals(name) || pair.getKey().endsWith("_" + name)) {
                Parameter p = pair.getValue();
                NDArray arr = p.getArray();
                if (arr.getShape().size() != values.length) {
                    throw new IllegalArgumentException(name + ": expected " + arr.getShape() + " values, got " + values.length);
                }
                arr.muli(0f).addi(arr.getManager().create(values, arr.getShape()));
                return;
            }
        }
        throw new IllegalArgumentException("No parameter " + name + " in " + b);
    }
}
