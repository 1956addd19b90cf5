package io.xaiscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.metric.Metrics;
import org.junit.jupiter.api.Test;

/**
 * An implementation's revision keys its rows from 2 on: revision 1 hashes as before revisions existed, a
 * raised revision changes the hash of the method and of every method built on it, and closing the raise
 * restores both.
 */
class RevisionTest {
    @Test
    void revisionOneHashesAsBeforeAndARaisedRevisionChangesTheHashOfTheMethodAndItsWrappers() throws Exception {
        assertEquals(Params.hash("gradient", "{}"), Params.hash("gradient", 1, "{}"));
        assertNotEquals(Params.hash("gradient", "{}"), Params.hash("gradient", 2, "{}"));
        Explainer gradient = Explainers.fromString("gradient");
        Explainer smooth = Explainers.fromString("smoothgrad[base=gradient]");
        Explainer guided = Explainers.fromString("guided_grad_cam");
        String json = Params.json(smooth.params());
        assertEquals(1, gradient.revision());
        assertEquals(1, smooth.revision());
        try (AutoCloseable fix = Explainers.raiseRevision("gradient")) {
            Explainer fixed = Explainers.fromString("gradient");
            Explainer smoothFixed = Explainers.fromString("smoothgrad[base=gradient]");
            assertEquals(2, fixed.revision());
            assertEquals(2, smoothFixed.revision(), "a wrapper goes with its base");
            assertEquals(fixed.spec(), gradient.spec(), "the spec stays");
            assertNotEquals(gradient.hash("{}"), fixed.hash("{}"));
            assertNotEquals(smooth.hash(json), smoothFixed.hash(json));
            assertEquals(
                    1,
                    Explainers.fromString("smoothgrad[base=integrated_gradients]")
                            .revision());
            assertEquals(
                    guided.hash("{}"), Explainers.fromString("guided_grad_cam").hash("{}"), "not built on it");
        }
        assertEquals(gradient.hash("{}"), Explainers.fromString("gradient").hash("{}"), "closed: as before");
        try (AutoCloseable fix = Metrics.raiseRevision("iou")) {
            assertEquals(2, Metrics.fromString("iou").revision());
            assertEquals(1, Metrics.fromString("pointing_game").revision());
        }
        assertEquals(1, Metrics.fromString("iou").revision());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Explainers.raiseRevision("gradeint"));
        assertEquals(
                "Unknown explanation method: gradeint (valid: " + String.join(", ", Explainers.names()) + ")",
                e.getMessage());
    }
}
