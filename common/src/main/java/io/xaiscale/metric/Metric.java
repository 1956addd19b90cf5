package io.xaiscale.metric;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * A saliency metric over a batch: one value per sample, {@code NaN} where it does not apply (a
 * localisation metric on an image without a box). Parameters are recorded next to every value.
 */
public interface Metric {
    String name();

    /** Every parameter that determines the value, defaults included, sorted by key. */
    Map<String, Object> params();

    /** Whether the metric runs the model (faithfulness) or only looks at maps (localisation). */
    boolean needsModel();

    /** Whether higher values are better (false for deletion AUC); used for ranks in SQL. */
    boolean higherIsBetter();

    double[] evaluate(EvalBatch batch);

    /** Canonical spec: name plus resolved parameters, parseable by {@link Metrics#fromString}. */
    default String spec() {
        if (params().isEmpty()) {
            return name();
        }
        return name() + params().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",", "[", "]"));
    }
}
