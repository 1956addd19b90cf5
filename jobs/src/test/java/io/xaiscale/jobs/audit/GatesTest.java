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
}
