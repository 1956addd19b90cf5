package io.xaiscale.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain CNN declared in the card ({@code "architecture": "custom"}, {@code "layers": [...]}), in the
 * order of a PyTorch {@code nn.Sequential}: each layer's state-dict prefix is its index ({@code 0.weight})
 * unless it names one ({@code "name": "features.0"}). Types: {@code conv} (filters, kernel, stride 1,
 * padding 0, bias true), {@code bn}, {@code relu}, {@code maxpool} (kernel, stride = kernel, padding 0),
 * {@code avgpool} (kernel, stride = kernel), {@code gap} (global average pooling), {@code flatten},
 * {@code dense} (units, bias true). The head starts at the first {@code gap} or {@code flatten}.
 */
final class CustomCnn {
    static final List<String> TYPES =
            List.of("conv", "bn", "relu", "maxpool", "avgpool", "gap", "flatten", "dense", "dropout");

    private CustomCnn() {}

    static List<String> problems(List<Map<String, Object>> layers, int classes) {
        List<String> p = new ArrayList<>();
        if (layers == null || layers.isEmpty()) {
            p.add("missing field 'layers': architecture 'custom' needs its layer list (see models/README.md)");
            return p;
        }
        boolean head = false;
        Integer lastUnits = null;
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> l = layers.get(i);
            Object type = l.get("type");
            String at = "layers[" + i + "]";
            if (!TYPES.contains(type)) {
                p.add("invalid field '" + at + ".type': " + type + " (valid: " + String.join(", ", TYPES) + ")");
                continue;
            }
            head |= "gap".equals(type) || "flatten".equals(type);
            for (String need : switch ((String) type) {
                case "conv" -> List.of("filters", "kernel");
                case "maxpool", "avgpool" -> List.of("kernel");
                case "dense" -> List.of("units");
                default -> List.<String>of();
            }) {
                if (!(l.get(need) instanceof Integer v) || v <= 0) {
                    p.add("invalid field '" + at + "." + need + "': " + l.get(need) + " (a positive integer)");
                }
            }
            if ("dense".equals(type) && l.get("units") instanceof Integer u) {
                lastUnits = u;
            }
        }
        if (!head) {
            p.add(
                    "invalid field 'layers': no 'gap' or 'flatten' layer, so no head (the classifier part) can be told apart");
        }
        if (lastUnits == null || lastUnits != classes) {
            p.add("invalid field 'layers': the last dense layer has " + lastUnits + " units but 'classes' names "
                    + classes);
        }
        return p;
    }

    private static int integer(Map<String, Object> l, String key, int def) {
        return l.get(key) instanceof Integer v ? v : def;
    }

    static Architectures.Built build(List<Map<String, Object>> layers, int classes) {
        List<String> problems = problems(layers, classes);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid custom architecture: " + String.join("; ", problems));
        }
        Map<String, Block> modules = new LinkedHashMap<>();
        SequentialBlock features = new SequentialBlock();
        SequentialBlock head = new SequentialBlock();
        List<String> names = new ArrayList<>();
        boolean inHead = false;
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> l = layers.get(i);
            String type = (String) l.get("type");
            String name = l.get("name") instanceof String n ? n : String.valueOf(i);
            inHead |= "gap".equals(type) || "flatten".equals(type);
            Block b = switch (type) {
                case "conv" ->
                    Torchvision.conv(
                            integer(l, "filters", 0),
                            integer(l, "kernel", 0),
                            integer(l, "stride", 1),
                            integer(l, "padding", 0),
                            !Boolean.FALSE.equals(l.get("bias")));
                case "bn" -> BatchNorm.builder().build();
                case "relu" -> Activation.reluBlock();
                case "maxpool" -> {
                    int k = integer(l, "kernel", 0);
                    int s = integer(l, "stride", k);
                    int pad = integer(l, "padding", 0);
                    yield new MaxPool(k, s, pad);
                }
                case "avgpool" -> {
                    int k = integer(l, "kernel", 0);
                    int s = integer(l, "stride", k);
                    yield Pool.avgPool2dBlock(new Shape(k, k), new Shape(s, s));
                }
                case "gap" -> Pool.globalAvgPool2dBlock();
                case "flatten" -> Blocks.batchFlattenBlock();
                case "dropout" -> new Dropout(l.get("rate") instanceof Number r ? r.floatValue() : 0.5f);
                case "dense" ->
                    Linear.builder()
                            .setUnits(integer(l, "units", 0))
                            .optBias(!Boolean.FALSE.equals(l.get("bias")))
                            .build();
                default -> throw new IllegalStateException(type);
            };
            modules.put(name, b);
            if (inHead) {
                head.add(b);
            } else {
                features.add(b);
                names.add(name);
            }
        }
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        return new Architectures.Built(block, features, head, List.copyOf(names), modules);
    }
}
