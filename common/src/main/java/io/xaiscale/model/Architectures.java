package io.xaiscale.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The project's own DJL architectures. Each one is a {@link SequentialBlock} of exactly two children,
 * {@code features} (the convolutional trunk) and {@code head} (pooling and classifier), with the
 * layer names of the trunk listed in order so that layer methods can split the net anywhere.
 */
public final class Architectures {
    public static final String SMALL_CNN = "small_cnn";
    public static final String SMALL_RESNET = "small_resnet";
    /** The small CNN with dropout (rate 0.5) before its dense layer: the Monte-Carlo dropout variant. */
    public static final String SMALL_CNN_DROPOUT = "small_cnn_dropout";

    public static final String CUSTOM = "custom";
    public static final List<String> NAMES = Stream.of(
                    Stream.of(SMALL_CNN, SMALL_CNN_DROPOUT, SMALL_RESNET),
                    Torchvision.NAMES.stream(),
                    Vit.PRESETS.keySet().stream().sorted(),
                    Stream.of(Vit.VIT, CUSTOM))
            .flatMap(x -> x)
            .toList();

    /**
     * A built architecture: the block, the names of the {@code features} children in order, and the
     * modules by their PyTorch path (for state-dict import; empty for the project's own architectures).
     */
    public record Built(
            SequentialBlock block,
            SequentialBlock features,
            SequentialBlock head,
            List<String> featureLayers,
            Map<String, Block> modules) {
        public Built(
                SequentialBlock block, SequentialBlock features, SequentialBlock head, List<String> featureLayers) {
            this(block, features, head, featureLayers, Map.of());
        }
    }

    private Architectures() {}

    /** The feature-layer names a card's model will have, without loading it (for checks before any work runs). */
    public static List<String> featureLayers(ModelCard card) {
        if (ModelCard.TORCHSCRIPT.equals(card.format())) {
            var m = card.scriptMethods();
            return m != null && m.containsKey("features") && m.containsKey("head") ? List.of("features") : List.of();
        }
        return build(card).featureLayers();
    }

    /** The architecture a card describes: a named one, or {@code custom} from its {@code layers}. */
    public static Built build(ModelCard card) {
        if (CUSTOM.equals(card.architecture())) {
            return CustomCnn.build(card.layers(), card.classes().size());
        }
        Vit.Config vit = Vit.configOf(card);
        if (vit != null) {
            return Vit.build(
                    vit,
                    card.input().height(),
                    card.input().width(),
                    card.classes().size());
        }
        return build(card.architecture(), card.classes().size());
    }

    public static Built build(String name, int classes) {
        if (SMALL_CNN.equals(name)) {
            return smallCnn(classes, 0f);
        }
        if (SMALL_CNN_DROPOUT.equals(name)) {
            return smallCnn(classes, 0.5f);
        }
        if (SMALL_RESNET.equals(name)) {
            return smallResNet(classes);
        }
        if (Torchvision.NAMES.contains(name)) {
            return Torchvision.build(name, classes);
        }
        if (Vit.PRESETS.containsKey(name)) {
            return Vit.build(Vit.PRESETS.get(name), 224, 224, classes);
        }
        if (CUSTOM.equals(name) || Vit.VIT.equals(name)) {
            throw new IllegalArgumentException("Architecture '" + name + "' is built from the card's '"
                    + (CUSTOM.equals(name) ? "layers" : "vit") + "' (use build(card))");
        }
        throw new IllegalArgumentException(
                "Unknown architecture: " + name + " (valid: " + String.join(", ", NAMES) + ")");
    }

    /**
     * Three conv-BN-ReLU stages (16, 32, 64 filters, 3x3, padding 1), max-pooling after the first
     * two; head: global average pooling and one dense layer (so CAM applies as well), with
     * {@code dropout > 0} a {@link Dropout} before it.
     */
    static Built smallCnn(int classes, float dropout) {
        SequentialBlock features = new SequentialBlock();
        int[] filters = {16, 32, 64};
        List<String> names = new ArrayList<>();
        for (int i = 0; i < filters.length; i++) {
            int n = i + 1;
            features.add(Conv2d.builder()
                    .setKernelShape(new Shape(3, 3))
                    .optPadding(new Shape(1, 1))
                    .setFilters(filters[i])
                    .build());
            names.add("conv" + n);
            features.add(BatchNorm.builder().build());
            names.add("bn" + n);
            features.add(Activation.reluBlock());
            names.add("relu" + n);
            if (i < 2) {
                features.add(MaxPool.tiles(2));
                names.add("pool" + n);
            }
        }
        SequentialBlock head = new SequentialBlock();
        head.add(Pool.globalAvgPool2dBlock());
        head.add(Blocks.batchFlattenBlock());
        if (dropout > 0) {
            head.add(new Dropout(dropout));
        }
        head.add(Linear.builder().setUnits(classes).build());
        SequentialBlock block = new SequentialBlock();
        block.add(features);
        block.add(head);
        return new Built(block, features, head, List.copyOf(names));
    }

    /**
     * A small ResNet: a conv-BN-ReLU stem (16 filters), one identity residual block at 16 filters,
     * one downsampling block to 32 filters (stride 2, 1x1 projection shortcut), each followed by a
     * ReLU; head: global average pooling and one dense layer.
     */
    static Built smallResNet(int classes) {
        SequentialBlock features = new SequentialBlock();
        List<String> names = new ArrayList<>();
        features.add(conv(16, 3, 1)).add(BatchNorm.builder().build()).add(Activation.reluBlock());
        names.addAll(List.of("conv1", "bn1", "relu1"));
        features.add(new Residual(basicBranch(16, 1), Blocks.identityBlock())).add(Activation.reluBlock());
        names.addAll(List.of("block1", "relu2"));
        SequentialBlock projection = new SequentialBlock()
                .add(conv(32, 1, 2))
                .add(BatchNorm.builder().build());
        features.add(new Residual(basicBranch(32, 2), projection)).add(Activation.reluBlock());
        names.addAll(List.of("block2", "relu3"));
        SequentialBlock head = new SequentialBlock();
        head.add(Pool.globalAvgPool2dBlock());
        head.add(Blocks.batchFlattenBlock());
        head.add(Linear.builder().setUnits(classes).build());
        SequentialBlock block = new SequentialBlock().add(features).add(head);
        return new Built(block, features, head, List.copyOf(names));
    }

    private static SequentialBlock basicBranch(int filters, int stride) {
        return new SequentialBlock()
                .add(conv(filters, 3, stride))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(filters, 3, 1))
                .add(BatchNorm.builder().build());
    }

    private static Conv2d conv(int filters, int kernel, int stride) {
        int pad = kernel / 2;
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .setFilters(filters)
                .build();
    }
}
