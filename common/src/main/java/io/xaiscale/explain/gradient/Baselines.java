package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Reference inputs for path methods, in pixel space. */
public final class Baselines {
    public static final List<String> NAMES = List.of("zero", "one", "mean");

    private Baselines() {}

    /** The baseline for each sample of {@code x} ({@code [N, C, H, W]}), same shape. */
    public static NDArray of(String name, NDArray x) {
        return switch (name) {
            case "zero" -> x.zerosLike();
            case "one" -> x.onesLike();
            // per-sample, per-channel mean colour (single-axis means chained: DJL rejects two at once)
            case "mean" -> x.zerosLike().add(x.mean(new int[] {3}, true).mean(new int[] {2}, true));
            default ->
                throw new IllegalArgumentException(
                        "Invalid baseline: " + name + " (valid: " + String.join(", ", NAMES) + ")");
        };
    }
}
