package io.xaiscale.metric;

import io.xaiscale.config.Configured;
import io.xaiscale.config.ParamReader;
import java.util.List;

/**
 * A saliency metric over a batch: one value per sample and output, {@link #NOT_APPLICABLE} where it
 * does not apply (a localisation metric on an image without a box). Any other NaN or infinity is a
 * fault, never a value: the evaluate stage stores it as the item's error. Most metrics have one output, named like
 * the metric; a metric that computes several values from one costly step (robustness: one
 * recomputed map, compared four ways) names each output, and each becomes its own row. Parameters
 * are recorded next to every value.
 */
public abstract class Metric extends Configured {
    protected Metric(String name, ParamReader reader) {
        super(name, reader);
    }

    /**
     * What a metric needs and how its values read, declared once per metric (as a method declares its
     * {@code Capabilities}).
     *
     * @param needsModel the metric runs the model (faithfulness), or only looks at maps (localisation)
     * @param needsMethod it re-runs the explanation method (robustness, sanity checks): {@link
     *     EvalBatch#method()} is then set
     * @param higherIsBetter higher values are better (false for deletion AUC); ranks in SQL use it
     * @param usesGroundTruth it compares maps with the ground truth (its rows then say which)
     */
    public record Traits(boolean needsModel, boolean needsMethod, boolean higherIsBetter, boolean usesGroundTruth) {
        /** Compares maps with the ground truth (localisation): no model, higher is better. */
        public static final Traits GROUND_TRUTH = new Traits(false, false, true, true);

        /** Looks at the maps alone (complexity). */
        public static Traits maps(boolean higherIsBetter) {
            return new Traits(false, false, higherIsBetter, false);
        }

        /** Runs the model on changed inputs (faithfulness, axioms). */
        public static Traits model(boolean higherIsBetter) {
            return new Traits(true, false, higherIsBetter, false);
        }

        /** Runs the model and re-explains with the method (robustness, sanity checks). */
        public static Traits reexplains(boolean higherIsBetter) {
            return new Traits(true, true, higherIsBetter, false);
        }
    }

    /** This metric's {@link Traits}. */
    public abstract Traits traits();

    /** Whether the metric runs the model (faithfulness) or only looks at maps (localisation). */
    public final boolean needsModel() {
        return traits().needsModel();
    }

    /** Whether the metric re-runs the explanation method (robustness, sanity checks). */
    public final boolean needsMethod() {
        return traits().needsMethod();
    }

    /** Whether higher values are better (false for deletion AUC); used for ranks in SQL. */
    public final boolean higherIsBetter() {
        return traits().higherIsBetter();
    }

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
    public final boolean usesGroundTruth() {
        return traits().usesGroundTruth();
    }

    /**
     * The value of an item the metric does not apply to, declared by the metric: a NaN with its own
     * bits, which no arithmetic produces (0/0, inf - inf and the like give the canonical NaN), so an
     * accidental NaN is never taken for "not applicable". Test with {@link #isNotApplicable}.
     */
    public static final double NOT_APPLICABLE = Double.longBitsToDouble(0x7ff8_0000_0a11_1e5aL);

    /** Whether {@code v} is {@link #NOT_APPLICABLE} (and not any other NaN). */
    public static boolean isNotApplicable(double v) {
        return Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(NOT_APPLICABLE);
    }

    /** Why a value is {@link #NOT_APPLICABLE}, written to the row's {@code error} (starts with "not applicable"). */
    public String notApplicable() {
        return "not applicable to this item";
    }
}
