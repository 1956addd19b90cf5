package io.xaiscale.jobs.stage;

import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.util.MapCodec;

/**
 * The knobs of the explain stage, declared once: their names, defaults and help, for the commands that
 * explain ({@code explain}, {@code pipeline}, {@code demo}, the audits) and the Spark ML stage
 * {@code ImageExplainer} (whose params take the same defaults).
 */
public final class ExplainKnobs {
    public static final String DEFAULT_TARGET = "predicted";
    public static final String DEFAULT_PRECISION = MapCodec.Precision.FLOAT32.spec();
    public static final String DEFAULT_RESOLUTION = Maps.Resolution.INPUT.spec();

    public static final String TARGET_HELP =
            "classes to explain, a list of: predicted, label, labels (every ground-truth class), top_k[k=3]";

    static final String PRECISION_HELP = "how maps are stored: float32 (4 bytes a pixel, exact), float16 or bfloat16"
            + " (2 bytes; metric values within the tolerances of docs/benchmarks.md; a map a 16-bit precision cannot"
            + " hold is stored as float32)";

    static final String RESOLUTION_HELP =
            "how CAM-family maps are stored: input (upsampled to the model's input, as every other method's)"
                    + " or native (at their layer's resolution, e.g. 7x7: exact and about 1000x smaller,"
                    + " upsampled by every reader)";

    private ExplainKnobs() {}

    /** {@code --methods} (with every registered name in its help) and {@code --target}. */
    public static Options methodsAndTarget(Options o) {
        return o.add(
                        "methods",
                        Explainers.DEFAULT_METHODS,
                        "methods, e.g. 'gradient,integrated_gradients[steps=64]', or 'all' (every method that runs on"
                                + " the model; the default on a ViT: " + Explainers.DEFAULT_TRANSFORMER_METHODS
                                + ") (valid: " + String.join(", ", Explainers.names()) + ")")
                .add("target", DEFAULT_TARGET, TARGET_HELP);
    }

    /** {@code --map-precision} and {@code --map-resolution}: how the stage stores its maps. */
    public static Options storage(Options o) {
        return o.add("map-precision", DEFAULT_PRECISION, PRECISION_HELP)
                .add("map-resolution", DEFAULT_RESOLUTION, RESOLUTION_HELP);
    }
}
