package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.Residual;
import io.xaiscale.model.TransformerLrp;
import io.xaiscale.model.Vit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as a list of {@link Layer}s in forward order, which the propagation engine walks backwards:
 * the input normalisation, the feature layers and the head, with every BatchNorm that follows a
 * convolution folded into it, and residual blocks as nested walks. Built once per loaded model.
 */
public final class Walk {
    /** DJL's names for the parameterless blocks the engine understands. */
    private static final Map<String, Layer.Kind> LAMBDA_KINDS = Map.of(
            "ReLU", Layer.Kind.RELU,
            "maxPool2d", Layer.Kind.MAX_POOL,
            "globalMaxPool2d", Layer.Kind.MAX_POOL,
            "avgPool2d", Layer.Kind.AVG_POOL,
            "globalAvgPool2d", Layer.Kind.AVG_POOL,
            "adaptiveAvgPool2d", Layer.Kind.AVG_POOL,
            "batchFlatten", Layer.Kind.RESHAPE,
            "class_token", Layer.Kind.TOKENS);

    public static final String SUPPORTED = "Conv2d, Linear, BatchNorm, ReLU, max and average pooling (also global), "
            + "flatten, identity, residual blocks, and a Vision Transformer's (patch embedding, class token, position "
            + "embedding, LayerNorm, multi-head attention, GELU)";

    private final List<Layer> layers;
    private final NDArray low;
    private final NDArray high;

    private Walk(List<Layer> layers, NDArray low, NDArray high) {
        this.layers = List.copyOf(layers);
        this.low = low;
        this.high = high;
    }

    /**
     * The walk of {@code model}, built on first use and kept with the network (one per network, not per
     * view: see {@link Classifier#derived}); fails naming a layer the engine cannot walk.
     */
    public static Walk of(Classifier model) {
        return model.derived(Walk.class, Walk::build);
    }

    private static Walk build(Classifier model) {
        if (model.isScripted()) {
            model.card().requireLayers("the propagation engine");
        }
        try (GradMode off = GradMode.off()) {
            ParameterStore ps = model.parameterStore();
            List<Layer> layers = new ArrayList<>();
            Layer.Normalize norm = new Layer.Normalize(model);
            layers.add(norm);
            List<String> names = new ArrayList<>(model.featureLayers());
            List<Block> blocks = new ArrayList<>(model.features().getChildren().values());
            for (int i = 0; i < blocks.size(); i++) {
                if (names.size() < blocks.size()) {
                    names.add("features." + i);
                }
            }
            int featureCount = blocks.size();
            for (Block b : model.head().getChildren().values()) {
                blocks.add(b);
                names.add("head." + (blocks.size() - featureCount - 1));
            }
            layers.addAll(walk(blocks, names, ps, model));
            int c = model.channels();
            NDArray zeros = model.manager()
                    .zeros(new Shape(1, c, 1, 1), model.normalizationMean().getDataType());
            NDArray low = norm.forward(zeros);
            NDArray high = norm.forward(zeros.add(1f));
            return new Walk(layers, low, high);
        }
    }

    private static List<Layer> walk(List<Block> blocks, List<String> names, ParameterStore ps, Classifier model) {
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            String name = names.get(i);
            if (b instanceof Conv2d conv) {
                Block next = i + 1 < blocks.size() ? blocks.get(i + 1) : null;
                if (next instanceof BatchNorm bn) {
                    out.add(fold(name + "+" + names.get(i + 1), conv, bn, ps, model));
                    i++;
                } else {
                    out.add(Affine.conv(
                            name,
                            param(conv, "weight", model),
                            convBias(conv, model),
                            conv.getStride(),
                            conv.getPadding(),
                            conv.getDilation(),
                            conv.getGroups()));
                }
            } else if (b instanceof Linear dense) {
                NDArray w = param(dense, "weight", model);
                NDArray bias = hasParam(dense, "bias")
                        ? param(dense, "bias", model)
                        : model.manager().zeros(new Shape(w.getShape().get(0)), w.getDataType());
                out.add(Affine.dense(name, w, bias));
            } else if (b instanceof TransformerLrp.Norm) {
                out.add(new Layer.UnderRules(Layer.Kind.NORM, name, b, ps));
            } else if (b instanceof Vit.SelfAttention attention) {
                out.add(Affine.dense(
                        name + ".in_proj", param(b, "in_proj_weight", model), param(b, "in_proj_bias", model)));
                out.add(new Layer.Attention(name, attention));
            } else if (b instanceof Vit.ClassToken) {
                out.add(new Layer.OfBlock(Layer.Kind.TOKENS, name, b, ps));
            } else if (b instanceof Vit.PositionEmbedding) {
                out.add(new Layer.OfBlock(Layer.Kind.POSITION, name, b, ps));
            } else if (b instanceof LambdaBlock lambda && "GELU".equals(lambda.getName())) {
                out.add(new Layer.UnderRules(Layer.Kind.GELU, name, b, ps));
            } else if (b instanceof BatchNorm) {
                out.add(new Layer.OfBlock(Layer.Kind.POINTWISE, name, b, ps));
            } else if (b instanceof Residual res) {
                List<Walk> branches = new ArrayList<>();
                int k = 0;
                for (Block branch : res.getChildren().values()) {
                    String prefix = name + (k++ == 0 ? ".main" : ".shortcut");
                    branches.add(new Walk(walk(children(branch), childNames(prefix, branch), ps, model), null, null));
                }
                out.add(new ResidualLayer(name, branches));
            } else if (b instanceof SequentialBlock seq) {
                out.addAll(walk(children(seq), childNames(name, seq), ps, model));
            } else if (b instanceof LambdaBlock lambda && "identity".equals(lambda.getName())) {
                continue;
            } else if (b instanceof LambdaBlock lambda && LAMBDA_KINDS.containsKey(lambda.getName())) {
                out.add(new Layer.OfBlock(LAMBDA_KINDS.get(lambda.getName()), name, b, ps));
            } else {
                String what = b instanceof LambdaBlock l
                        ? "LambdaBlock '" + l.getName() + "'"
                        : b.getClass().getSimpleName();
                throw new IllegalArgumentException("Unsupported layer for the propagation engine: " + name + " is a "
                        + what + " (supported: " + SUPPORTED + ")");
            }
        }
        return out;
    }

    private static List<Block> children(Block b) {
        if (b instanceof SequentialBlock) {
            return new ArrayList<>(b.getChildren().values());
        }
        return List.of(b);
    }

    private static List<String> childNames(String prefix, Block b) {
        List<String> names = new ArrayList<>();
        int n = b instanceof SequentialBlock ? b.getChildren().size() : 1;
        for (int i = 0; i < n; i++) {
            names.add(prefix + "." + i);
        }
        return names;
    }

    /**
     * Folds an eval-mode BatchNorm into the convolution before it. BatchNorm's epsilon is private in
     * DJL, so its per-channel affine map {@code y = s x + t} is measured exactly by running the block on
     * all-zero and all-one inputs.
     */
    private static Affine fold(String name, Conv2d conv, BatchNorm bn, ParameterStore ps, Classifier model) {
        NDArray w = param(conv, "weight", model);
        long filters = w.getShape().get(0);
        NDArray zeros = model.manager().zeros(new Shape(1, filters, 1, 1), w.getDataType());
        NDArray t = bn.forward(ps, new NDList(zeros), false).singletonOrThrow().reshape(filters);
        NDArray s = bn.forward(ps, new NDList(zeros.add(1f)), false)
                .singletonOrThrow()
                .reshape(filters)
                .sub(t);
        NDArray folded = w.mul(s.reshape(filters, 1, 1, 1));
        NDArray bias = convBias(conv, model).mul(s).add(t);
        return Affine.conv(
                name, folded, bias, conv.getStride(), conv.getPadding(), conv.getDilation(), conv.getGroups());
    }

    private static NDArray convBias(Conv2d conv, Classifier model) {
        if (hasParam(conv, "bias")) {
            return param(conv, "bias", model);
        }
        return model.manager()
                .zeros(
                        new Shape(conv.getFilters()),
                        param(conv, "weight", model).getDataType());
    }

    private static boolean hasParam(Block b, String name) {
        return b.getParameters().stream()
                .anyMatch(p -> p.getKey().equals(name) || p.getKey().endsWith("_" + name));
    }

    private static NDArray param(Block b, String name, Classifier model) {
        for (var p : b.getParameters()) {
            if (p.getKey().equals(name) || p.getKey().endsWith("_" + name)) {
                return p.getValue().getArray();
            }
        }
        throw new IllegalStateException(
                "No parameter '" + name + "' in " + b + " of " + model.card().key());
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The normalised images of the darkest (all 0) and brightest (all 1) input, {@code [1, C, 1, 1]}; null for branches. */
    public NDArray low() {
        return low;
    }

    public NDArray high() {
        return high;
    }

    /** Index of the first {@link Layer.Kind#LINEAR} layer (the "first layer" of LRP composites), or -1. */
    public int firstLinear() {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).kind() == Layer.Kind.LINEAR) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The input of every layer and the final output, with the records of residual branches; when
     * taped, each layer's recorded graph ({@code null} for residual layers, whose branches have their own).
     */
    public record Record(
            List<NDArray> inputs, NDArray output, Map<Integer, List<Record>> branches, List<Autograd.Taped> taped) {
        /** The output of layer {@code i}. */
        public NDArray output(int i) {
            return i + 1 < inputs.size() ? inputs.get(i + 1) : output;
        }

        /** Layer {@code i}'s recorded graph, or null when the walk was not taped. */
        public Autograd.Taped taped(int i) {
            return taped == null ? null : taped.get(i);
        }
    }

    /** Runs the walk on {@code x}, keeping every layer's input (no autograd graph is built). */
    public Record forward(NDArray x) {
        try (GradMode off = GradMode.off()) {
            return forward(x, null);
        }
    }

    /**
     * Runs the walk on {@code x}, keeping every layer's input and, with a {@code tape}, every layer's
     * graph, so that the backward walk's chain-rule products run only the backward half.
     */
    public Record forward(NDArray x, Autograd.Tape tape) {
        List<NDArray> inputs = new ArrayList<>(layers.size());
        List<Autograd.Taped> taped = tape == null ? null : new ArrayList<>(layers.size());
        Map<Integer, List<Record>> branches = new HashMap<>();
        NDArray cur = x;
        for (int i = 0; i < layers.size(); i++) {
            inputs.add(cur);
            Layer layer = layers.get(i);
            if (layer instanceof ResidualLayer res) {
                List<Record> recs = new ArrayList<>();
                NDArray sum = null;
                for (Walk b : res.branches()) {
                    Record r = b.forward(cur, tape);
                    recs.add(r);
                    sum = sum == null ? r.output() : sum.add(r.output());
                }
                branches.put(i, recs);
                if (taped != null) {
                    taped.add(null);
                }
                cur = sum;
            } else if (tape != null) {
                Autograd.Taped t = tape.record(layer::forward, cur);
                taped.add(t);
                cur = t.value();
            } else {
                cur = layer.forward(cur);
            }
        }
        return new Record(inputs, cur, branches, taped);
    }
}
