package io.xaiscale.model;

import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The project's own DJL architectures. Each one is a {@link SequentialBlock} of exactly two children,
 * {@code features} (the convolutional trunk) and {@code head} (pooling and classifier), with the
 * layer names of the trunk listed in order so that layer methods can split the net anywhere.
 */
public final class Architectures {
    public static final String SMALL_CNN = "small_cnn";
    public static final List<String> NAMES = List.of(SMALL_CNN);

    /** A built architecture: the block plus the names of the {@code features} children, in order. */
    public record Built(SequentialBlock block, SequentialBlock features, SequentialBlock head, List<String> featureLayers) {}

    private Architectures() {}

    public static Built build(String name, int classes) {
        if (SMALL_CNN.equals(name)) {
            return smallCnn(classes);
        }
        throw new IllegalArgumentException("Unknown architecture: " + name + " (valid: " + String.join(", ", NAMES) + ")");
    }

    /**
     * Three conv-BN-ReLU stages (16, 32, 64 filters, 3x3, padding 1), max-pooling after the first
     * two; head: global average pooling and one dense layer (so CAM applies as well).
     */
    static Built smallCnn(int classes) {
        SequentialBlock features = new SequentialBlock();
        int[] filters = {16, 32, 64};
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < filters.length; i++) {
            int n = i + 1;
            features.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                    .setFilters(filters[i]).build());
            names.add("conv" + n);
            features.add(BatchNorm.builder().build());
            names.add("bn" + n);
            features.add(Activation.reluBlock());
            names.add("relu" + n);
            if (i < 2) {
                features.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
                names.add("pool" + n);
            }
        }
        SequentialBlock head = new SequentialBlock();
        head.add(Pool.globalAvgPool2dBlock());
        head.add(Blocks.batchFlattenBlock());
        head.add(Linear.builder().setUnits(classes).build());
        SequentialBlock block = new SequentialBlock();
        block.add(features);
        block.add(head);
        return new Built(block, features, head, List.copyOf(names));
    }

}
