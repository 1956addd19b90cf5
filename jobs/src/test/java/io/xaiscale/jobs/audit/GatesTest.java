package io.xaiscale.jobs.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Gate outcomes on hand-made means: the not-applicable count is said, never hidden in the mean. */
class GatesTest {
    static final AuditConfig.Gate MIN_IOU = new AuditConfig.Gate("metric", null, 0.3, "iou", "gradient", null, null);

    @Test
    void aMetricGateSaysHowManyItemsTheMetricDidNotApplyTo() {
        Gates.Mean few = new Gates.Mean("m@1", "gradient", "iou", 2, 0.5, true, null, 98);
        Row r = Gates.evaluate(List.of(MIN_IOU), 0, List.of(few), List.of(), List.of())
                .get(0);
        assertTrue(r.getBoolean(1));
        assertEquals("mean over 2 image(s) (98 not applicable), at least 0.3", r.getString(4));
        Gates.Mean low = new Gates.Mean("m@1", "gradient", "iou", 50, 0.1, true, null);
        r = Gates.evaluate(List.of(MIN_IOU), 0, List.of(low), List.of(), List.of())
                .get(0);
        assertFalse(r.getBoolean(1));
        assertEquals("mean over 50 image(s), at least 0.3", r.getString(4));
    }

    /** A gate about a metric or method the run does not have (a typo in the config) fails rather than passes. */
    @Test
    void aGateAboutValuesTheRunDoesNotHaveFails() {
        Gates.Mean iou = new Gates.Mean("m@1", "gradient", "iou", 5, 0.5, true, null);
        List<AuditConfig.Gate> typos = List.of(
                new AuditConfig.Gate("metric", null, 0.0, "iuo", "gradient", null, null),
                new AuditConfig.Gate("metric", null, 0.0, "iou", "gradeint", null, null),
                new AuditConfig.Gate("metric_change", null, null, "iuo", "gradient", 0.05, null));
        List<Row> out = Gates.evaluate(typos, 0, List.of(iou), List.of(iou), List.of());
        assertEquals(3, out.size());
        for (Row r : out) {
            assertFalse(r.getBoolean(1), r.toString());
        }
        assertEquals("metric iuo of gradient", out.get(0).getString(0));
        assertEquals(
                "the run has no value of metric iuo for method gradient",
                out.get(0).getString(4));
        assertEquals(
                "the run has no value of metric iou for method gradeint",
                out.get(1).getString(4));
        // the same gates with the names right pass
        assertTrue(Gates.evaluate(List.of(MIN_IOU), 0, List.of(iou), List.of(), List.of())
                .get(0)
                .getBoolean(1));
    }
}
