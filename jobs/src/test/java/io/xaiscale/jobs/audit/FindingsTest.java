package io.xaiscale.jobs.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The findings that compare a run with the previous one, on hand-made numbers with known answers. */
class FindingsTest {
    static final Ledger.Previous BEFORE = new Ledger.Previous(
            "run-1",
            "succeeded",
            List.of(
                    new Gates.Mean("m@1", "gradient", "iou", 100, 0.5, true, null),
                    new Gates.Mean("m@1", "gradient", "deletion_auc", 100, 0.2, false, null)),
            1000L,
            10L,
            100L,
            "all images",
            null,
            null);

    static Gates.Mean now(String metric, double mean, boolean higherIsBetter) {
        return new Gates.Mean("m@1", "gradient", metric, 100, mean, higherIsBetter, 0.1);
    }

    @Test
    void aMetricRegressionIsAWorseningOfAtLeastAFifthOfAStandardDeviationWithItsIntervalAboveZero() {
        List<Findings.Finding> f =
                Findings.regressions(List.of(now("iou", 0.4, true)), BEFORE, m -> List.of("img-" + m.metric()));
        assertEquals(1, f.size());
        Findings.Finding r = f.get(0);
        assertEquals("iou | gradient", r.subject());
        assertEquals(1.0, r.effect(), 1e-9, "worse by 0.1 with sd 0.1: d = 1");
        // Student's t with 99 degrees of freedom (the tables' 1.984217), not the normal 1.96
        assertEquals(0.1 - 1.984217 * 0.01, r.ciLow(), 1e-8);
        assertEquals(0.1 + 1.984217 * 0.01, r.ciHigh(), 1e-8);
        assertEquals(List.of("img-iou"), r.evidence());
        // lower is better: a rise is the regression
        assertEquals(
                1,
                Findings.regressions(List.of(now("deletion_auc", 0.25, false)), BEFORE, m -> List.of())
                        .size());
        // a change below 0.2 sd, an improvement, or nothing to compare with: no finding
        assertEquals(List.of(), Findings.regressions(List.of(now("iou", 0.49, true)), BEFORE, m -> List.of()));
        assertEquals(List.of(), Findings.regressions(List.of(now("iou", 0.6, true)), BEFORE, m -> List.of()));
        assertEquals(List.of(), Findings.regressions(List.of(now("pointing_game", 0.1, true)), BEFORE, m -> List.of()));
        assertEquals(
                List.of(), Findings.regressions(List.of(now("iou", 0.4, true)), Ledger.Previous.NONE, m -> List.of()));
    }

    @Test
    void anErrorSpikeIsARiseOfAtLeastOnePointThatDoublesTheRateBeyondItsInterval() {
        List<Findings.Finding> f = Findings.errorSpike(1000, 50, BEFORE, () -> List.of("bad"));
        assertEquals(1, f.size());
        double half = 1.96 * Math.sqrt(0.01 * 0.99 / 1000 + 0.05 * 0.95 / 1000);
        assertEquals(0.04, f.get(0).effect(), 1e-12);
        assertEquals(0.04 - half, f.get(0).ciLow(), 1e-12);
        assertEquals(List.of("bad"), f.get(0).evidence());
        assertTrue(f.get(0).detail().contains("0.0500 of the rows have an error (50 of 1000), 0.0100 in run run-1"));
        // 1.5% against 1%: less than a point more
        assertEquals(List.of(), Findings.errorSpike(1000, 15, BEFORE, List::of));
        assertEquals(List.of(), Findings.errorSpike(20, 1, BEFORE, List::of), "1 of 20: within the noise");
        assertEquals(List.of(), Findings.errorSpike(1000, 500, Ledger.Previous.NONE, List::of));
    }

    @Test
    void batchesComputedAgainAfterANonFiniteResultAreAFindingOfTheRun() {
        assertEquals(List.of(), Findings.recomputed(0));
        Findings.Finding f = Findings.recomputed(3).get(0);
        assertEquals(Findings.NON_FINITE_RECOMPUTED, f.kind());
        assertEquals(3.0, f.value());
        assertEquals(3, f.n());
        assertTrue(f.detail().startsWith("3 batch(es) gave non-finite maps, logits or probabilities"), f.detail());
        assertTrue(Findings.OF_THE_COMPUTATION.contains(f.kind()), "a reused run does not copy it");
    }
}
