package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Dropout for Monte-Carlo dropout (Gal and Ghahramani 2016): the identity at inference (saved as, and
 * walked by the propagation engine as, an identity block), and inside {@link #stochastic} on this
 * thread it drops each value with probability {@code rate} and scales the rest by {@code 1 / (1 -
 * rate)}, sample i's mask drawn from its own seeded {@code Random}, while BatchNorm stays in eval mode
 * (a training-mode forward would use batch statistics).
 */
public final class Dropout extends LambdaBlock {
    private static final ThreadLocal<Random[]> DRAWS = new ThreadLocal<>();

    private final float rate;

    public Dropout(float rate) {
        super(list -> drop(list, rate), "identity");
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Invalid dropout rate: " + rate + " (must be in [0, 1))");
        }
        this.rate = rate;
    }

    public float rate() {
        return rate;
    }

    /** {@code body} with every dropout of this thread dropping, sample i's mask from {@code draws[i]}. */
    public static <T> T stochastic(Random[] draws, Supplier<T> body) {
        Random[] before = DRAWS.get();
        DRAWS.set(draws);
        try {
            return body.get();
        } finally {
            if (before == null) {
                DRAWS.remove();
            } else {
                DRAWS.set(before);
            }
        }
    }

    private static NDList drop(NDList list, float rate) {
        Random[] draws = DRAWS.get();
        if (draws == null || rate == 0) {
            return list;
        }
        NDArray x = list.singletonOrThrow();
        int n = (int) x.getShape().get(0);
        if (draws.length != n) {
            throw new IllegalStateException(
                    "Monte-Carlo dropout over " + n + " samples with " + draws.length + " draws");
        }
        int per = (int) (x.getShape().size() / n);
        float[] mask = new float[n * per];
        float keep = 1f / (1f - rate);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                mask[i * per + j] = draws[i].nextFloat() < rate ? 0f : keep;
            }
        }
        return new NDList(x.mul(x.getManager().create(mask, x.getShape()).toType(x.getDataType(), false)));
    }
}
