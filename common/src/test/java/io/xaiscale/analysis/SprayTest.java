package io.xaiscale.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SprayTest {
    @Test
    void poolAveragesByAreaTakesAbsoluteValuesAndSumsToOne() {
        // 4x4 -> 2x2: each output cell sums a 2x2 block of |values|
        float[] map = {1, 1, 0, 0, 1, -1, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2};
        assertArrayEquals(new float[] {4 / 12f, 0, 0, 8 / 12f}, Spray.pool(map, 4, 4, 2), 1e-6f);
        // 3x1 -> 2x2: the one row covers both output rows, the middle pixel is split half and half
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, Spray.pool(new float[] {2, 2, 2}, 3, 1, 2), 1e-6f);
        assertArrayEquals(
                new float[] {0.375f, 0.125f, 0.375f, 0.125f}, Spray.pool(new float[] {2, 2, 0}, 3, 1, 2), 1e-6f);
        // an all-zero map is spread evenly: it is as far from every map as can be
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, Spray.pool(new float[16], 4, 4, 2), 1e-6f);
    }

    /** A 16x16 pooled map: a blob of mass at (cx, cy) with noise elsewhere. */
    private static float[] blob(int cx, int cy, SplittableRandom rnd) {
        float[] m = new float[256];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (0.05 * rnd.nextDouble());
        }
        for (int y = cy - 1; y <= cy + 1; y++) {
            for (int x = cx - 1; x <= cx + 1; x++) {
                m[y * 16 + x] += (float) (1 + 0.3 * rnd.nextDouble());
            }
        }
        return Spray.pool(m, 16, 16, 16);
    }

    @Test
    void findsTheGroupsOfMapsByWhereTheirRelevanceIsAndTheirNumberByTheEigengap() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<float[]> maps = new ArrayList<>();
        int[] group = new int[60];
        int[][] centres = {{4, 4}, {11, 4}, {8, 12}};
        for (int i = 0; i < group.length; i++) {
            // 30, 18 and 12 maps: a main strategy and two smaller ones
            group[i] = i < 30 ? 0 : i < 48 ? 1 : 2;
            maps.add(blob(centres[group[i]][0], centres[group[i]][1], rnd));
        }
        Spray.Result r = Spray.analyse(maps, Spray.Settings.defaults());
        assertEquals(3, r.k(), "eigenvalues " + Arrays.toString(r.eigenvalues()));
        // three components of the kNN graph: three zero eigenvalues, then a clear gap
        assertEquals(0, r.eigenvalues()[2], 1e-9);
        assertTrue(r.eigengap() > 0.1, "gap " + r.eigengap());
        assertEquals(
                List.of(30, 18, 12),
                r.clusters().stream().map(Spray.Cluster::size).toList());
        for (int c = 0; c < 3; c++) {
            Spray.Cluster cl = r.clusters().get(c);
            for (int m : cl.members()) {
                assertEquals(c, group[m], "map " + m + " in cluster " + c);
            }
            // the mean map has its mass at the group's blob
            int cx = centres[c][0];
            int cy = centres[c][1];
            assertTrue(cl.meanMap()[cy * 16 + cx] > 5f / 256, "mean map of cluster " + c);
        }
    }

    @Test
    void theSameMapsGiveTheSameClustersAndTooFewMapsAreRefused() {
        SplittableRandom rnd = new SplittableRandom(5);
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            maps.add(blob(i % 2 == 0 ? 3 : 12, 8, rnd));
        }
        Spray.Result a = Spray.analyse(maps, Spray.Settings.defaults());
        Spray.Result b = Spray.analyse(maps, Spray.Settings.defaults());
        assertEquals(2, a.k());
        assertArrayEquals(a.clusters().get(0).members(), b.clusters().get(0).members());
        assertThrows(
                IllegalArgumentException.class, () -> Spray.analyse(maps.subList(0, 2), Spray.Settings.defaults()));
    }
}
