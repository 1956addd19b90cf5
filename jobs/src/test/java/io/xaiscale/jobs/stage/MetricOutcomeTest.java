package io.xaiscale.jobs.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.image.Box;
import io.xaiscale.jobs.warehouse.GroundTruth;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the evaluate stage stores for a metric's value: a finite value as it is; the metric's declared
 * "not applicable" with its reason (never counted as an error); any other NaN or infinity as an error
 * naming it, never as a value and never as "not applicable".
 */
class MetricOutcomeTest {
    static final GroundTruth BOX = new GroundTruth(null, List.of(new Box(0, 0, 4, 4)), "boxes of the image (1)", null);
    static final GroundTruth NO_BOX = new GroundTruth(
            null, List.of(), null, "not applicable: no ground-truth box of class 3 (the image has boxes of 1)");

    @Test
    void onlyTheDeclaredNotApplicableIsNotApplicableAndEveryOtherNonFiniteValueIsAnError() {
        double zero = 0;
        double inf = Double.POSITIVE_INFINITY;
        for (double accidental : new double[] {zero / zero, inf - inf, Math.sqrt(-1), Double.NaN, 0 * inf}) {
            assertTrue(Double.isNaN(accidental));
            assertFalse(Metric.isNotApplicable(accidental), "arithmetic's NaN is not the declared one");
        }
        assertTrue(Metric.isNotApplicable(Metric.NOT_APPLICABLE));
        assertTrue(Metric.isNotApplicable(new double[] {Metric.NOT_APPLICABLE}.clone()[0]), "kept through arrays");

        Metric iou = Metrics.fromString("iou");
        Metric deletion = Metrics.fromString("deletion_auc");
        assertNull(EvaluateStage.Batch.outcome(iou, BOX, 0.25));
        assertEquals(
                "not applicable: no ground-truth box", EvaluateStage.Batch.outcome(iou, BOX, Metric.NOT_APPLICABLE));
        assertEquals(
                NO_BOX.missing(),
                EvaluateStage.Batch.outcome(iou, NO_BOX, Metric.NOT_APPLICABLE),
                "the ground truth's reason");
        assertEquals(
                "non-finite value NaN from metric iou: not stored (a fault of the metric or of the model on this item,"
                        + " not an outcome)",
                EvaluateStage.Batch.outcome(iou, NO_BOX, Double.NaN));
        String inf1 = EvaluateStage.Batch.outcome(deletion, BOX, Double.POSITIVE_INFINITY);
        assertTrue(inf1.startsWith("non-finite value Infinity from metric deletion_auc"), inf1);
        assertFalse(inf1.startsWith("not applicable"), "counted as an error by the gates");
        assertTrue(EvaluateStage.Batch.outcome(deletion, BOX, Double.NEGATIVE_INFINITY)
                .startsWith("non-finite value -Infinity"));
        assertEquals(
                "not applicable to this item",
                EvaluateStage.Batch.outcome(deletion, NO_BOX, Metric.NOT_APPLICABLE),
                "a metric that does not use the ground truth gives its own reason");
    }
}
