package io.xaiscale.jobs.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The top classes, margin and entropy of one image's probabilities, on hand-made distributions. */
class PredictRankingTest {
    @Test
    void topClassesMarginAndEntropyOfHandMadeProbabilities() {
        // two images of four classes, the second from offset 4; a tie ranks the lower class first
        float[] p = {0.1f, 0.4f, 0.1f, 0.4f, 0.7f, 0.2f, 0.1f, 0f};
        PredictStage.Ranked a = PredictStage.Ranked.of(p, 0, 4, 3);
        assertArrayEquals(new int[] {1, 3, 0}, a.classes());
        assertArrayEquals(new float[] {0.4f, 0.4f, 0.1f}, a.probs());
        assertEquals(0.0, a.margin(), 1e-7);
        double h = -(2 * 0.1 * Math.log(0.1) + 2 * 0.4 * Math.log(0.4));
        assertEquals(h, a.entropy(), 1e-6);
        // top 1 still has its margin to the second class; a zero probability adds nothing to the entropy
        PredictStage.Ranked b = PredictStage.Ranked.of(p, 4, 4, 1);
        assertArrayEquals(new int[] {0}, b.classes());
        assertEquals(0.5, b.margin(), 1e-6);
        assertEquals(-(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1)), b.entropy(), 1e-6);
        // one class: the margin is its probability
        assertEquals(1.0, PredictStage.Ranked.of(new float[] {1f}, 0, 1, 1).margin(), 0);
        assertNull(PredictStage.Ranked.of(new float[] {0.5f, Float.NaN}, 0, 2, 1), "non-finite: no ranking");
    }
}
