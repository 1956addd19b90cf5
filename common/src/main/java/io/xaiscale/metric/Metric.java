package io.xaiscale.metric;

import io.xaiscale.config.Configured;
import io.xaiscale.config.ParamReader;
import java.util.List;

/**
 * A saliency metric over a batch: one value per sample and output, {@code NaN} where it does not
 * apply (a localisation metric on an image without a box). Most metrics have one output, named like
 * the metric; a metric that computes several values from one costly step (robustness: one
 * recomputed map, compared four ways) names each output, and each becomes its own row. Parameters
 * are recorded next to every value.
 */
public abstract class Metric extends Configured {
    protected Metric(String name, ParamReader reader) {
        super(name, reader);
    }

    /** Whether the metric runs the model (faithfulness) or only looks at maps (localisation). */
    public abstract boolean needsModel();

    /** Whether the metric re-runs the explanation method (robustness, sanity checks): {@link EvalBatch#method()} is then set. */
    public boolean needsMethod() {
        return false;
    }

    /** Whether higher values are better (false for deletion AUC); used for ranks in SQL. */
    public abstract boolean higherIsBetter();

    /** Whether higher values of {@code output} are better. */
    public boolean higherIsBetter(String output) {
        return higherIsBetter();
    }

    /** The names of the values written per explanation, in the order of {@link #evaluateAll}. */
    public List<String> outputs() {
        return List.of(name());
    }

    /** Values {@code [outputs][N]}, in the order of {@link #outputs}. */
    public abstract double[][] evaluateAll(EvalBatch batch);

    /**
     * The values, and for a metric that traces a curve per sample (deletion, insertion, AOPC,
     * selectivity, IROF, ROAD, monotonicity: the target score at each step) the curves, which the
     * {@code metrics} table keeps next to the value; null curves otherwise.
     */
    public record Scores(double[][] values, float[][] curves) {}

    /** {@link #evaluateAll} with the samples' curves where the metric traces some. */
    public Scores score(EvalBatch batch) {
        return new Scores(evaluateAll(batch), null);
    }

    /** Values of a single-output metric; fails for a metric with several outputs. */
    public final double[] evaluate(EvalBatch batch) {
        if (outputs().size() != 1) {
            throw new UnsupportedOperationException(name() + " has several outputs " + outputs() + ": use evaluateAll");
        }
        return evaluateAll(batch)[0];
    }

    /** Whether the metric compares maps with the ground truth (its rows then say which ground truth). */
    public boolean usesGroundTruth() {
        return false;
    }

    /** Why a value is {@code NaN}, written to the row's {@code error}. */
    public String notApplicable() {
        return "not applicable: no ground-truth box";
    }
}
