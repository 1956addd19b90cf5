package io.xaiscale.analysis;

import java.util.SplittableRandom;

/** Lloyd's k-means with k-means++ seeding, best of several seeded starts (least within-cluster squares). */
final class KMeans {
    private KMeans() {}

    static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            double e = a[i] - b[i];
            d += e * e;
        }
        return d;
    }

    /** The cluster (0..k-1) of each point. */
    static int[] cluster(double[][] points, int k, SplittableRandom rnd, int starts) {
        int[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int s = 0; s < starts; s++) {
            double[][] centres = seed(points, k, rnd);
            int[] labels = new int[points.length];
            for (int iter = 0; iter < 100; iter++) {
                boolean moved = false;
                for (int i = 0; i < points.length; i++) {
                    int nearest = 0;
                    for (int c = 1; c < k; c++) {
                        if (distance(points[i], centres[c]) < distance(points[i], centres[nearest])) {
                            nearest = c;
                        }
                    }
                    moved |= iter == 0 || labels[i] != nearest;
                    labels[i] = nearest;
                }
                if (!moved) {
                    break;
                }
                double[][] sums = new double[k][points[0].length];
                int[] counts = new int[k];
                for (int i = 0; i < points.length; i++) {
                    counts[labels[i]]++;
                    for (int d = 0; d < points[i].length; d++) {
                        sums[labels[i]][d] += points[i][d];
                    }
                }
                for (int c = 0; c < k; c++) {
                    if (counts[c] > 0) {
                        for (int d = 0; d < sums[c].length; d++) {
                            centres[c][d] = sums[c][d] / counts[c];
                        }
                    }
                }
            }
            double cost = 0;
            for (int i = 0; i < points.length; i++) {
                cost += distance(points[i], centres[labels[i]]);
            }
            if (cost < bestCost) {
                bestCost = cost;
                best = labels;
            }
        }
        return best;
    }

    /** k-means++: each next centre drawn with probability proportional to its squared distance to the nearest. */
    private static double[][] seed(double[][] points, int k, SplittableRandom rnd) {
        double[][] centres = new double[k][];
        centres[0] = points[rnd.nextInt(points.length)].clone();
        double[] d = new double[points.length];
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < points.length; i++) {
                d[i] = Double.POSITIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    d[i] = Math.min(d[i], distance(points[i], centres[j]));
                }
                total += d[i];
            }
            int pick = points.length - 1;
            double r = rnd.nextDouble() * total;
            for (int i = 0; i < points.length; i++) {
                r -= d[i];
                if (r <= 0) {
                    pick = i;
                    break;
                }
            }
            centres[c] = points[pick].clone();
        }
        return centres;
    }
}
