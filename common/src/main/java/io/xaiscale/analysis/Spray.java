package io.xaiscale.analysis;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.Clusterable;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.clustering.MultiKMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.MathArrays;

/**
 * Spectral relevance analysis (SpRAy, Lapuschkin et al. 2019, "Unmasking Clever Hans predictors"):
 * the relevance maps of one class, made small and comparable, are clustered spectrally; a class
 * whose maps fall into well separated groups (a large eigengap of the graph Laplacian) is explained
 * by different strategies, and a small group often is a shortcut (the source tag on horse images).
 *
 * <p>Steps, as in the paper and its CoRelAy pipeline: each map is taken absolute, average-pooled to
 * {@code side x side} and scaled to sum 1 (maps compare by where their relevance is, not how much);
 * a symmetric k-nearest-neighbour graph (binary weights, Euclidean distance) of the maps; the
 * eigenvalues of its symmetric normalised Laplacian {@code I - D^-1/2 A D^-1/2}; the number of
 * clusters {@code k} is where the gap between consecutive eigenvalues is largest (up to
 * {@link Settings#maxClusters}); k-means (k-means++, seeded, best of several starts) on the rows of
 * the first {@code k} eigenvectors, normalised to unit length (Ng, Jordan and Weiss 2001).
 */
public final class Spray {
    /** How maps are compared and clustered. */
    public record Settings(int side, int neighbours, int maxClusters, long seed) implements Serializable {
        public static Settings defaults() {
            return new Settings(16, 10, 8, 7);
        }

        public Settings {
            if (side < 2 || neighbours < 1 || maxClusters < 2) {
                throw new IllegalArgumentException("Invalid SpRAy settings: side " + side + " (>= 2), neighbours "
                        + neighbours + " (>= 1), max clusters " + maxClusters + " (>= 2)");
            }
        }
    }

    /** One cluster: its members (indices into the input), the members nearest its centre first, and its mean map. */
    public record Cluster(int[] members, float[] meanMap, int side) {
        public int size() {
            return members.length;
        }
    }

    /**
     * The analysis of one class's maps: the Laplacian's smallest eigenvalues (ascending), the chosen
     * number of clusters, its eigengap {@code lambda[k] - lambda[k-1]}, and the clusters (largest
     * first).
     */
    public record Result(double[] eigenvalues, int k, double eigengap, List<Cluster> clusters) {}

    private Spray() {}

    /** Absolute map, average-pooled to {@code side x side} (area weights) and scaled to sum 1. */
    public static float[] pool(float[] map, int width, int height, int side) {
        double[] out = new double[side * side];
        for (int y = 0; y < height; y++) {
            // the pixel [y, y+1) covers output rows in [y*side/height, (y+1)*side/height)
            double y0 = (double) y * side / height;
            double y1 = (double) (y + 1) * side / height;
            for (int x = 0; x < width; x++) {
                double v = Math.abs(map[y * width + x]);
                if (v == 0 || Double.isNaN(v)) {
                    continue;
                }
                double x0 = (double) x * side / width;
                double x1 = (double) (x + 1) * side / width;
                for (int oy = (int) y0; oy < Math.min(side, Math.ceil(y1)); oy++) {
                    double wy = Math.min(y1, oy + 1) - Math.max(y0, oy);
                    for (int ox = (int) x0; ox < Math.min(side, Math.ceil(x1)); ox++) {
                        double wx = Math.min(x1, ox + 1) - Math.max(x0, ox);
                        if (wx > 0 && wy > 0) {
                            out[oy * side + ox] += v * wx * wy;
                        }
                    }
                }
            }
        }
        double sum = Arrays.stream(out).sum();
        float[] f = new float[out.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = sum > 0 ? (float) (out[i] / sum) : 1f / f.length;
        }
        return f;
    }

    /** SpRAy over {@code maps}, each already {@link #pool pooled} to {@code s.side()}; needs at least 3 maps. */
    public static Result analyse(List<float[]> maps, Settings s) {
        int n = maps.size();
        if (n < 3) {
            throw new IllegalArgumentException("SpRAy needs at least 3 maps, got " + n);
        }
        int kNn = Math.min(s.neighbours(), n - 1);
        double[][] dist = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double d = 0;
                float[] a = maps.get(i);
                float[] b = maps.get(j);
                for (int p = 0; p < a.length; p++) {
                    double e = a[p] - b[p];
                    d += e * e;
                }
                dist[i][j] = d;
                dist[j][i] = d;
            }
        }
        double[][] adj = new double[n][n];
        for (int i = 0; i < n; i++) {
            final int row = i;
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                order[j] = j;
            }
            Arrays.sort(
                    order,
                    Comparator.comparingDouble((Integer j) -> j == row ? -1 : dist[row][j])
                            .thenComparingInt(j -> j));
            for (int r = 1; r <= kNn; r++) {
                adj[i][order[r]] = 1;
                adj[order[r]][i] = 1;
            }
        }
        double[] invSqrtDeg = new double[n];
        for (int i = 0; i < n; i++) {
            invSqrtDeg[i] = 1 / Math.sqrt(Arrays.stream(adj[i]).sum());
        }
        double[][] lap = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                lap[i][j] = (i == j ? 1 : 0) - adj[i][j] * invSqrtDeg[i] * invSqrtDeg[j];
            }
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(lap, false));
        double[] values = eig.getRealEigenvalues();
        Integer[] ascending = new Integer[n];
        for (int i = 0; i < n; i++) {
            ascending[i] = i;
        }
        Arrays.sort(ascending, Comparator.comparingDouble(i -> values[i]));
        int keep = Math.min(n, s.maxClusters() + 1);
        double[] smallest = new double[keep];
        for (int i = 0; i < keep; i++) {
            smallest[i] = Math.max(0, values[ascending[i]]);
        }
        int k = 1;
        double gap = smallest.length > 1 ? smallest[1] - smallest[0] : 0;
        for (int c = 2; c < keep; c++) {
            double g = smallest[c] - smallest[c - 1];
            if (g > gap) {
                gap = g;
                k = c;
            }
        }
        double[][] embedding = new double[n][k];
        for (int c = 0; c < k; c++) {
            double[] v = eig.getEigenvector(ascending[c]).toArray();
            for (int i = 0; i < n; i++) {
                embedding[i][c] = v[i];
            }
        }
        for (double[] row : embedding) {
            double norm = Math.sqrt(Arrays.stream(row).map(x -> x * x).sum());
            if (norm > 0) {
                for (int c = 0; c < k; c++) {
                    row[c] /= norm;
                }
            }
        }
        int[] labels = kMeans(embedding, k, s.seed());
        List<Cluster> clusters = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (labels[i] == c) {
                    members.add(i);
                }
            }
            if (members.isEmpty()) {
                continue;
            }
            double[] centre = new double[k];
            float[] mean = new float[maps.get(0).length];
            for (int i : members) {
                for (int d = 0; d < k; d++) {
                    centre[d] += embedding[i][d] / members.size();
                }
                for (int p = 0; p < mean.length; p++) {
                    mean[p] += maps.get(i)[p] / members.size();
                }
            }
            members.sort(Comparator.comparingDouble((Integer i) -> MathArrays.distance(embedding[i], centre))
                    .thenComparingInt(i -> i));
            clusters.add(
                    new Cluster(members.stream().mapToInt(Integer::intValue).toArray(), mean, s.side()));
        }
        clusters.sort(Comparator.comparingInt((Cluster c) -> -c.size()));
        return new Result(smallest, k, gap, clusters);
    }

    /** A row of the spectral embedding, with its position. */
    private record Point(int index, double[] coordinates) implements Clusterable {
        @Override
        public double[] getPoint() {
            return coordinates;
        }
    }

    /**
     * The cluster (0..k-1) of each row: commons-math3's k-means++ (Lloyd's iterations, at most 100),
     * the best of 10 seeded starts by the sum of the clusters' variances.
     */
    static int[] kMeans(double[][] rows, int k, long seed) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            points.add(new Point(i, rows[i]));
        }
        int[] labels = new int[rows.length];
        if (k <= 1) {
            return labels;
        }
        KMeansPlusPlusClusterer<Point> once =
                new KMeansPlusPlusClusterer<>(k, 100, new EuclideanDistance(), new Well19937c(seed));
        List<CentroidCluster<Point>> clusters = new MultiKMeansPlusPlusClusterer<>(once, 10).cluster(points);
        for (int c = 0; c < clusters.size(); c++) {
            for (Point p : clusters.get(c).getPoints()) {
                labels[p.index()] = c;
            }
        }
        return labels;
    }
}
