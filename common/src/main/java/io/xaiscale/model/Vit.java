package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * torchvision's {@code VisionTransformer} as DJL blocks, every module registered under its PyTorch
 * path so a torchvision {@code state_dict} imports by name: {@code conv_proj} (the patch embedding),
 * {@code class_token}, {@code encoder.pos_embedding}, {@code encoder.layers.encoder_layer_N} (pre-norm
 * blocks: {@code ln_1}, {@code self_attention} with q, k, v stacked in {@code in_proj_weight} as
 * {@code nn.MultiheadAttention} does, {@code self_attention.out_proj}, {@code ln_2}, {@code mlp.0},
 * GELU, {@code mlp.3}), {@code encoder.ln} and {@code heads.head} on the class token. LayerNorms have
 * epsilon 1e-6, GELU is the exact (erf) one, dropouts are absent (torchvision's default rate is 0).
 *
 * <p>{@code features} is the token trunk (embedding, the encoder layers, the final norm: activations
 * {@code [N, 1 + tokens, hidden]}); {@code head} takes the class token and classifies it. The presets
 * are torchvision's {@code vit_b_16}, {@code vit_b_32} and {@code vit_l_16}; architecture {@code vit}
 * takes its {@link Config} from the model card.
 */
public final class Vit {
    public static final String VIT = "vit";
    public static final Map<String, Config> PRESETS = Map.of(
            "vit_b_16", new Config(16, 12, 12, 768, 3072),
            "vit_b_32", new Config(32, 12, 12, 768, 3072),
            "vit_l_16", new Config(16, 24, 16, 1024, 4096));
    /** The path (and feature layer name) of encoder block N, less N. */
    public static final String BLOCK = "encoder.layers.encoder_layer_";
    /** torchvision's ViT LayerNorm epsilon. */
    static final float EPSILON = 1e-6f;

    private Vit() {}

    /**
     * The shape of a ViT (the card's {@code vit} object): square patches of {@code patch_size} pixels,
     * {@code num_layers} encoder blocks of {@code num_heads} heads over tokens of {@code hidden_dim},
     * an MLP of {@code mlp_dim}. The image size is the card's input.
     */
    public record Config(
            @JsonProperty("patch_size") int patchSize,
            @JsonProperty("num_layers") int numLayers,
            @JsonProperty("num_heads") int numHeads,
            @JsonProperty("hidden_dim") int hiddenDim,
            @JsonProperty("mlp_dim") int mlpDim) {

        /** What is wrong with this config for an input of {@code height x width}, each naming its field. */
        public List<String> problems(int height, int width) {
            List<String> p = new ArrayList<>();
            if (patchSize < 1 || height % Math.max(patchSize, 1) != 0 || width % Math.max(patchSize, 1) != 0) {
                p.add("invalid field 'vit.patch_size': " + patchSize + " (must divide the input's height " + height
                        + " and width " + width + ")");
            }
            if (numLayers < 1) {
                p.add("invalid field 'vit.num_layers': " + numLayers + " (at least 1)");
            }
            if (numHeads < 1 || hiddenDim % Math.max(numHeads, 1) != 0) {
                p.add("invalid field 'vit.num_heads': " + numHeads + " (must divide hidden_dim " + hiddenDim + ")");
            }
            if (hiddenDim < 1) {
                p.add("invalid field 'vit.hidden_dim': " + hiddenDim + " (at least 1)");
            }
            if (mlpDim < 1) {
                p.add("invalid field 'vit.mlp_dim': " + mlpDim + " (at least 1)");
            }
            return p;
        }
    }

    /**
     * A state dict under timm's ViT/DeiT names ({@code cls_token}, {@code pos_embed},
     * {@code patch_embed.proj}, {@code blocks.N.norm1 / attn.qkv / attn.proj / norm2 / mlp.fc1 / mlp.fc2},
     * {@code norm}, {@code head}) renamed to torchvision's, which it equals module for module (timm's
     * {@code qkv} stacks q, k, v as {@code in_proj} does; LayerNorm epsilon 1e-6 in both); a state dict
     * under torchvision's names is returned as it is. What timm has and torchvision has not (a
     * distillation token, layer scale, a pooled-feature norm) keeps its name, so the import fails naming
     * it as an unexpected key.
     */
    public static Map<String, NDArray> torchvisionNames(Map<String, NDArray> arrays) {
        if (!arrays.containsKey("cls_token")) {
            return arrays;
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(timmToTorchvision(k), v));
        return out;
    }

    private static String timmToTorchvision(String key) {
        switch (key) {
            case "cls_token":
                return "class_token";
            case "pos_embed":
                return "encoder.pos_embedding";
            default:
                break;
        }
        if (key.startsWith("patch_embed.proj.")) {
            return "conv_proj." + key.substring("patch_embed.proj.".length());
        }
        if (key.startsWith("norm.")) {
            return "encoder.ln." + key.substring("norm.".length());
        }
        if (key.startsWith("head.")) {
            return "heads.head." + key.substring("head.".length());
        }
        Matcher m = TIMM_BLOCK.matcher(key);
        if (m.matches()) {
            String part = TIMM_PARTS.get(m.group(2));
            if (part != null) {
                // nn.MultiheadAttention's stacked projection is a parameter pair, in_proj_weight / in_proj_bias
                String tail = part.endsWith("in_proj") ? "_" + m.group(3).substring(1) : m.group(3);
                return BLOCK + m.group(1) + "." + part + tail;
            }
        }
        return key;
    }

    private static final Pattern TIMM_BLOCK =
            Pattern.compile("blocks\\.(\\d+)\\.(norm1|attn\\.qkv|attn\\.proj|norm2|mlp\\.fc1|mlp\\.fc2)(\\..+)");
    private static final Map<String, String> TIMM_PARTS = Map.of(
            "norm1", "ln_1",
            "attn.qkv", "self_attention.in_proj",
            "attn.proj", "self_attention.out_proj",
            "norm2", "ln_2",
            "mlp.fc1", "mlp.0",
            "mlp.fc2", "mlp.3");

    /** The positions of the encoder blocks among a ViT's feature layers, in order. */
    public static List<Integer> blocks(List<String> featureLayers) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < featureLayers.size(); i++) {
            if (featureLayers.get(i).startsWith(BLOCK)) {
                out.add(i);
            }
        }
        return out;
    }

    /** The shape of the ViT a card describes (its {@code vit} object or its preset's), or null for another model. */
    public static Config configOf(ModelCard card) {
        return VIT.equals(card.architecture()) ? card.vit() : PRESETS.get(card.architecture());
    }

    /** The architecture for {@code config} on {@code height x width} inputs, with {@code classes} outputs. */
    public static Architectures.Built build(Config config, int height, int width, int classes) {
        int tokens = (height / config.patchSize()) * (width / config.patchSize()) + 1;
        int d = config.hiddenDim();
        Map<String, Block> modules = new LinkedHashMap<>();
        SequentialBlock features = new SequentialBlock();
        List<String> names = new ArrayList<>();
        SequentialBlock embedding = new SequentialBlock()
                .add(named(modules, "conv_proj", Torchvision.conv(d, config.patchSize(), config.patchSize(), 0, true)))
                .add(named(modules, "", new ClassToken(d)))
                .add(named(modules, "encoder", new PositionEmbedding(tokens, d)));
        features.add(embedding);
        names.add("embedding");
        for (int i = 0; i < config.numLayers(); i++) {
            String prefix = BLOCK + i;
            SequentialBlock attention = new SequentialBlock()
                    .add(named(modules, prefix + ".ln_1", norm()))
                    .add(named(modules, prefix + ".self_attention", new SelfAttention(d, config.numHeads())))
                    .add(named(
                            modules,
                            prefix + ".self_attention.out_proj",
                            Linear.builder().setUnits(d).build()));
            SequentialBlock mlp = new SequentialBlock()
                    .add(named(modules, prefix + ".ln_2", norm()))
                    .add(named(
                            modules,
                            prefix + ".mlp.0",
                            Linear.builder().setUnits(config.mlpDim()).build()))
                    .add(TransformerLrp.gelu())
                    .add(named(
                            modules,
                            prefix + ".mlp.3",
                            Linear.builder().setUnits(d).build()));
            features.add(new SequentialBlock()
                    .add(new Residual(attention, Blocks.identityBlock()))
                    .add(new Residual(mlp, Blocks.identityBlock())));
            names.add(prefix);
        }
        features.add(named(modules, "encoder.ln", norm()));
        names.add("encoder.ln");
        SequentialBlock head = new SequentialBlock()
                .add(new LambdaBlock(list -> new NDList(list.singletonOrThrow().get(":, 0, :")), "class_token"))
                .add(named(
                        modules,
                        "heads.head",
                        Linear.builder().setUnits(classes).build()));
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        return new Architectures.Built(block, features, head, List.copyOf(names), modules);
    }

    /** A learned embedding parameter, normal with sd 0.02 (torchvision starts the class token at 0). */
    static Parameter embedding(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new NormalInitializer(0.02f))
                .optShape(shape)
                .build();
    }

    private static LayerNorm norm() {
        return new TransformerLrp.Norm(EPSILON);
    }

    private static <B extends Block> B named(Map<String, Block> modules, String path, B block) {
        modules.put(path, block);
        return block;
    }

    /**
     * The patch grid flattened to tokens ({@code [N, D, h, w]} to {@code [N, h w, D]}, row-major as
     * torchvision's {@code flatten(2).transpose(1, 2)}) with the learned {@code class_token} in front.
     */
    public static final class ClassToken extends AbstractBlock {
        private final Parameter token;

        ClassToken(int hidden) {
            token = addParameter(embedding("class_token", new Shape(1, 1, hidden)));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            Shape s = x.getShape();
            NDArray patches = x.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
            // made on the input's manager: an array made from the parameter alone would belong to the model's
            NDArray cls = x.getManager()
                    .zeros(new Shape(s.get(0), 1, s.get(1)), x.getDataType())
                    .add(store.getValue(token, x.getDevice(), training));
            return new NDList(cls.concat(patches, 1));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            Shape s = inputs[0];
            return new Shape[] {new Shape(s.get(0), s.get(2) * s.get(3) + 1, s.get(1))};
        }
    }

    /** Adds the learned {@code pos_embedding} ({@code [1, tokens, D]}) to the tokens. */
    public static final class PositionEmbedding extends AbstractBlock {
        private final Parameter embedding;

        PositionEmbedding(int tokens, int hidden) {
            embedding = addParameter(Vit.embedding("pos_embedding", new Shape(1, tokens, hidden)));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            return new NDList(
                    x.add(store.getValue(embedding, x.getDevice(), training).toType(x.getDataType(), false)));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            return inputs;
        }
    }

    /**
     * Multi-head self-attention before its output projection, as {@code nn.MultiheadAttention}:
     * {@code q, k, v = x W^T + b} split from the stacked {@code in_proj_weight} / {@code in_proj_bias},
     * heads split after, {@code softmax(q k^T / sqrt(d)) v}, heads merged back to {@code [N, T, D]}. The
     * attention probabilities go through {@link AttentionCapture#record} (a capture open on this thread
     * keeps them). The propagation engine walks it as two layers: the stacked projection, a linear
     * layer of its own, then {@link #attend}.
     */
    public static final class SelfAttention extends AbstractBlock {
        private final int heads;
        private final Parameter weight;
        private final Parameter bias;

        SelfAttention(int hidden, int heads) {
            this.heads = heads;
            weight = addParameter(Parameter.builder()
                    .setName("in_proj_weight")
                    .setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(3L * hidden, hidden))
                    .build());
            bias = addParameter(Parameter.builder()
                    .setName("in_proj_bias")
                    .setType(Parameter.Type.BIAS)
                    .optShape(new Shape(3L * hidden))
                    .build());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray qkv = Linear.linear(
                            x,
                            store.getValue(weight, x.getDevice(), training),
                            store.getValue(bias, x.getDevice(), training))
                    .singletonOrThrow();
            TransformerLrp lrp = TransformerLrp.current();
            return new NDList(attend(qkv, lrp == null ? null : lrp.softmax()));
        }

        /**
         * The attention over stacked queries, keys and values {@code [N, T, 3 D]}: {@code [N, T, D]}, the
         * heads merged. With {@code rules} null, the plain forward; else the same values under the LRP
         * rules of {@link TransformerLrp} (products split evenly, the softmax by {@code rules}).
         */
        public NDArray attend(NDArray qkv, TransformerLrp.Softmax rules) {
            Shape s = qkv.getShape();
            long n = s.get(0);
            long t = s.get(1);
            long d = s.get(2) / 3;
            long head = d / heads;
            NDList split = qkv.split(3, 2);
            NDArray q = split.get(0).reshape(n, t, heads, head).transpose(0, 2, 1, 3);
            NDArray k = split.get(1).reshape(n, t, heads, head).transpose(0, 2, 3, 1);
            NDArray v = split.get(2).reshape(n, t, heads, head).transpose(0, 2, 1, 3);
            NDArray scaled = q.div(Math.sqrt(head));
            NDArray scores = rules == null ? scaled.matMul(k) : TransformerLrp.evenProduct(scaled, k);
            NDArray attention = AttentionCapture.record(scores.softmax(-1));
            NDArray out;
            if (rules == null) {
                out = attention.matMul(v);
            } else if (rules == TransformerLrp.Softmax.DETACH) {
                out = attention.stopGradient().matMul(v);
            } else {
                out = TransformerLrp.evenProduct(attention, v);
            }
            return out.transpose(0, 2, 1, 3).reshape(n, t, d);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputs) {
            return inputs;
        }
    }
}
