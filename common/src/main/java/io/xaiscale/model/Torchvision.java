package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchvision-compatible ResNet-18/34/50 and VGG-11/16 (with and without BatchNorm) as DJL blocks,
 * each module registered under its PyTorch path ({@code layer1.0.conv1}, {@code features.3},
 * {@code classifier.6}) so a PyTorch {@code state_dict} imports by name. VGG's dropouts are
 * {@link Dropout}s: the identity at inference, active under Monte-Carlo dropout. Split into {@code features} (through {@code layer4} /
 * {@code features}) and {@code head} (pooling and classifier).
 */
final class Torchvision {
    static final List<String> NAMES =
            List.of("resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn");

    private Torchvision() {}

    static Architectures.Built build(String name, int classes) {
        return switch (name) {
            case "resnet18" -> resnet(new int[] {2, 2, 2, 2}, false, classes);
            case "resnet34" -> resnet(new int[] {3, 4, 6, 3}, false, classes);
            case "resnet50" -> resnet(new int[] {3, 4, 6, 3}, true, classes);
            case "vgg11" -> vgg(new int[] {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}, false, classes);
            case "vgg11_bn" -> vgg(new int[] {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}, true, classes);
            case "vgg16" -> vgg(VGG16, false, classes);
            case "vgg16_bn" -> vgg(VGG16, true, classes);
            default ->
                throw new IllegalArgumentException(
                        "Unknown torchvision architecture: " + name + " (valid: " + String.join(", ", NAMES) + ")");
        };
    }

    private static final int[] VGG16 = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};

    static Conv2d conv(int filters, int kernel, int stride, int padding, boolean bias) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .setFilters(filters)
                .optBias(bias)
                .build();
    }

    private static Architectures.Built resnet(int[] blocks, boolean bottleneck, int classes) {
        Map<String, Block> modules = new LinkedHashMap<>();
        SequentialBlock features = new SequentialBlock();
        List<String> names = new ArrayList<>();
        add(features, names, modules, "conv1", conv(64, 7, 2, 3, false));
        add(features, names, modules, "bn1", BatchNorm.builder().build());
        add(features, names, modules, "relu", Activation.reluBlock());
        add(features, names, modules, "maxpool", new MaxPool(3, 2, 1));
        int inChannels = 64;
        int expansion = bottleneck ? 4 : 1;
        for (int stage = 0; stage < 4; stage++) {
            int width = 64 << stage;
            for (int b = 0; b < blocks[stage]; b++) {
                String prefix = "layer" + (stage + 1) + "." + b;
                int stride = stage > 0 && b == 0 ? 2 : 1;
                SequentialBlock main = new SequentialBlock();
                if (bottleneck) {
                    main.add(named(modules, prefix + ".conv1", conv(width, 1, 1, 0, false)));
                    main.add(named(modules, prefix + ".bn1", BatchNorm.builder().build()))
                            .add(Activation.reluBlock());
                    main.add(named(modules, prefix + ".conv2", conv(width, 3, stride, 1, false)));
                    main.add(named(modules, prefix + ".bn2", BatchNorm.builder().build()))
                            .add(Activation.reluBlock());
                    main.add(named(modules, prefix + ".conv3", conv(width * 4, 1, 1, 0, false)));
                    main.add(named(modules, prefix + ".bn3", BatchNorm.builder().build()));
                } else {
                    main.add(named(modules, prefix + ".conv1", conv(width, 3, stride, 1, false)));
                    main.add(named(modules, prefix + ".bn1", BatchNorm.builder().build()))
                            .add(Activation.reluBlock());
                    main.add(named(modules, prefix + ".conv2", conv(width, 3, 1, 1, false)));
                    main.add(named(modules, prefix + ".bn2", BatchNorm.builder().build()));
                }
                Block shortcut;
                if (stride != 1 || inChannels != width * expansion) {
                    shortcut = new SequentialBlock()
                            .add(named(modules, prefix + ".downsample.0", conv(width * expansion, 1, stride, 0, false)))
                            .add(named(
                                    modules,
                                    prefix + ".downsample.1",
                                    BatchNorm.builder().build()));
                } else {
                    shortcut = Blocks.identityBlock();
                }
                features.add(new Residual(main, shortcut));
                names.add(prefix);
                features.add(Activation.reluBlock());
                names.add(prefix + ".relu");
                inChannels = width * expansion;
            }
        }
        SequentialBlock head =
                new SequentialBlock().add(Pool.globalAvgPool2dBlock()).add(Blocks.batchFlattenBlock());
        head.add(named(modules, "fc", Linear.builder().setUnits(classes).build()));
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        return new Architectures.Built(block, features, head, List.copyOf(names), modules);
    }

    private static Architectures.Built vgg(int[] cfg, boolean batchNorm, int classes) {
        Map<String, Block> modules = new LinkedHashMap<>();
        SequentialBlock features = new SequentialBlock();
        List<String> names = new ArrayList<>();
        int i = 0;
        for (int v : cfg) {
            if (v == 0) {
                add(features, names, modules, "features." + i++, MaxPool.tiles(2));
                continue;
            }
            add(features, names, modules, "features." + i++, conv(v, 3, 1, 1, true));
            if (batchNorm) {
                add(
                        features,
                        names,
                        modules,
                        "features." + i++,
                        BatchNorm.builder().build());
            }
            add(features, names, modules, "features." + i++, Activation.reluBlock());
        }
        SequentialBlock head = new SequentialBlock().add(adaptiveAvgPool(7, 7)).add(Blocks.batchFlattenBlock());
        head.add(named(modules, "classifier.0", Linear.builder().setUnits(4096).build()))
                .add(Activation.reluBlock())
                .add(new Dropout(0.5f)); // classifier.2: the identity but under Monte-Carlo dropout
        head.add(named(modules, "classifier.3", Linear.builder().setUnits(4096).build()))
                .add(Activation.reluBlock())
                .add(new Dropout(0.5f)); // classifier.5
        head.add(named(
                modules, "classifier.6", Linear.builder().setUnits(classes).build()));
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        return new Architectures.Built(block, features, head, List.copyOf(names), modules);
    }

    private static void add(SequentialBlock seq, List<String> names, Map<String, Block> modules, String name, Block b) {
        seq.add(b);
        names.add(name);
        modules.put(name, b);
    }

    private static Block named(Map<String, Block> modules, String name, Block b) {
        modules.put(name, b);
        return b;
    }

    /**
     * PyTorch's {@code AdaptiveAvgPool2d((oh, ow))}: output cell i averages input rows
     * {@code floor(i h / oh)} to {@code ceil((i + 1) h / oh)} (and the same for columns); the identity
     * when the input already has that size. Linear, so every method walks through it.
     */
    static Block adaptiveAvgPool(int oh, int ow) {
        return new LambdaBlock(
                list -> new NDList(adaptive(adaptive(list.singletonOrThrow(), 2, oh), 3, ow)), "adaptiveAvgPool2d");
    }

    private static NDArray adaptive(NDArray x, int axis, int out) {
        long size = x.getShape().get(axis);
        if (size == out) {
            return x;
        }
        NDList cells = new NDList();
        for (int i = 0; i < out; i++) {
            long start = Math.floorDiv(i * size, out);
            long end = -Math.floorDiv(-(i + 1) * size, out);
            String slice = axis == 2 ? ":, :, " + start + ":" + end : ":, :, :, " + start + ":" + end;
            cells.add(x.get(slice).mean(new int[] {axis}, true));
        }
        return NDArrays.concat(cells, axis);
    }
}
