package io.xaiscale.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Student's t quantiles against the printed tables, and the interval's coverage on small samples. */
class StudentTTest {
    @Test
    void quantilesAreTheTablesOnes() {
        // t_{0.975} from any statistics table
        assertEquals(12.706205, StudentT.t975(1), 1e-5);
        assertEquals(2.776445, StudentT.t975(4), 1e-5);
        assertEquals(2.262157, StudentT.t975(9), 1e-5);
        assertEquals(2.045230, StudentT.t975(29), 1e-5);
        assertEquals(1.984217, StudentT.t975(99), 1e-5);
        assertEquals(StudentT.Z975, StudentT.t975(1e9), 1e-6);
        assertTrue(Double.isNaN(StudentT.t975(0)));
        // Welch-Satterthwaite: equal variances and sizes give n1 + n2 - 2
        assertEquals(18, StudentT.welchDf(2.0, 10, 2.0, 10), 1e-9);
        // 0.01 / 9 + 0.04 / 19 against 0.3^2
        assertEquals(0.09 / (0.01 / 9 + 0.04 / 19), StudentT.welchDf(1.0, 10, 4.0, 20), 1e-9);
    }

    /** Means of 5 normal values: the t interval covers the true mean 95% of the time, 1.96's about 88%. */
    @Test
    void theIntervalOfFiveValuesCoversTheMeanNinetyFivePercentOfTheTime() {
        Random rnd = new Random(7);
        int reps = 20_000;
        int n = 5;
        int t = 0;
        int z = 0;
        for (int r = 0; r < reps; r++) {
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double v = 3 + 2 * rnd.nextGaussian();
                sum += v;
                sq += v * v;
            }
            double mean = sum / n;
            double variance = (sq - sum * sum / n) / (n - 1);
            double error = Math.abs(mean - 3);
            t += error <= StudentT.halfWidth(n, variance) ? 1 : 0;
            z += error <= StudentT.Z975 * Math.sqrt(variance / n) ? 1 : 0;
        }
        assertEquals(0.95, t / (double) reps, 0.006, "t interval coverage");
        assertEquals(0.878, z / (double) reps, 0.01, "the normal interval is too narrow at n = 5");
    }
}
