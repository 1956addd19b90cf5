package io.xaiscale.metric.similarity;

import io.xaiscale.metric.Relevance;
import java.util.Arrays;
import java.util.List;

/**
 * Similarity of two maps of equal size (row-major {@code height x width}), as used by robustness,
 * sanity checks and method agreement. Each takes the maps as given; callers choose the relevance
 * rule (signed, abs, positive) first.
 */
public final class Similarity {
    public static final List<String> NAMES = List.of("pearson", "spearman", "ssim", "l1", "kl");

    private Similarity() {}

    public static double of(String name, float[] a, float[] b, int width) {
        return switch (name) {
            case "pearson" -> pearson(a, b);
            case "spearman" -> spearman(a, b);
            case "ssim" -> ssim(a, b, width);
            case "l1" -> l1(a, b);
            case "kl" -> kl(a, b);
            default ->
                throw new IllegalArgumentException(
                        "Invalid similarity: " + name + " (valid: " + String.join(", ", NAMES) + ")");
        };
    }

    /**
     * Pearson correlation. A constant map has no variance, so the formula is 0/0: two constant maps
     * count as the same map (1: nothing tells them apart, e.g. two all-zero maps of a randomised model),
     * one constant map against a varying one as unrelated (0).
     */
    public static double pearson(float[] a, float[] b) {
        double[] x = toDouble(a);
        double[] y = toDouble(b);
        return pearson(x, y);
    }

    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return sxx == 0 && syy == 0 ? 1.0 : 0.0;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Spearman rank correlation (ties get their average rank). */
    public static double spearman(float[] a, float[] b) {
        return pearson(ranks(a), ranks(b));
    }

    /** Ranks 1..n, ties averaged. */
    public static double[] ranks(float[] v) {
        int n = v.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (p, q) -> Float.compare(v[p], v[q]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /**
     * Intersection over union of the two maps' top {@code fraction} of pixels (the {@code ceil(fraction
     * * n)} largest values of each; ties broken by position): 1 when both put their most relevant
     * pixels in the same place, whatever the values.
     */
    public static double topIoU(float[] a, float[] b, double fraction) {
        int k = Math.max(1, (int) Math.ceil(fraction * a.length));
        boolean[] ta = top(a, k);
        boolean[] tb = top(b, k);
        int both = 0;
        int either = 0;
        for (int i = 0; i < a.length; i++) {
            both += ta[i] && tb[i] ? 1 : 0;
            either += ta[i] || tb[i] ? 1 : 0;
        }
        return either == 0 ? 0 : (double) both / either;
    }

    /** The positions of the {@code k} largest values (the first position first among equal values). */
    static boolean[] top(float[] v, int k) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> v[x] != v[y] ? Float.compare(v[y], v[x]) : Integer.compare(x, y));
        boolean[] out = new boolean[v.length];
        for (int i = 0; i < Math.min(k, v.length); i++) {
            out[order[i]] = true;
        }
        return out;
    }

    /** Each map scaled to [0, 1] by its own min and max (a constant map becomes all 0). */
    public static float[] minMax(float[] a) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : a) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float[] out = new float[a.length];
        if (hi > lo) {
            for (int i = 0; i < a.length; i++) {
                out[i] = (a[i] - lo) / (hi - lo);
            }
        }
        return out;
    }

    /**
     * Mean structural similarity (Wang et al. 2004) of the two maps after min-max scaling, over 7x7
     * windows (uniform, as scikit-image's default), data range 1, constants {@code (0.01)^2} and
     * {@code (0.03)^2}. 1 for identical maps.
     */
    public static double ssim(float[] a, float[] b, int width) {
        float[] x = minMax(a);
        float[] y = minMax(b);
        int height = a.length / width;
        int win = Math.min(7, Math.min(width, height));
        double c1 = 1e-4;
        double c2 = 9e-4;
        double total = 0;
        int count = 0;
        double np = win * win;
        double cov = np / (np - 1);
        for (int y0 = 0; y0 + win <= height; y0++) {
            for (int x0 = 0; x0 + win <= width; x0++) {
                double sx = 0;
                double sy = 0;
                double sxx = 0;
                double syy = 0;
                double sxy = 0;
                for (int yy = y0; yy < y0 + win; yy++) {
                    for (int xx = x0; xx < x0 + win; xx++) {
                        double u = x[yy * width + xx];
                        double v = y[yy * width + xx];
                        sx += u;
                        sy += v;
                        sxx += u * u;
                        syy += v * v;
                        sxy += u * v;
                    }
                }
                double mx = sx / np;
                double my = sy / np;
                double vx = (sxx / np - mx * mx) * cov;
                double vy = (syy / np - my * my) * cov;
                double vxy = (sxy / np - mx * my) * cov;
                total += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        }
        return total / count;
    }

    /** {@code 1 - mean |x - y|} of the min-max scaled maps: 1 for identical maps, 0 for opposite extremes. */
    public static double l1(float[] a, float[] b) {
        float[] x = minMax(a);
        float[] y = minMax(b);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.abs(x[i] - y[i]);
        }
        return 1 - s / x.length;
    }

    /**
     * KL divergence {@code KL(p || q)} of the maps' absolute values normalised to sum 1 (a zero map
     * becomes uniform), smoothed by 1e-10: 0 for identical maps, lower is more similar.
     */
    public static double kl(float[] a, float[] b) {
        double[] p = distribution(a);
        double[] q = distribution(b);
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                s += p[i] * Math.log((p[i] + 1e-10) / (q[i] + 1e-10));
            }
        }
        return Math.max(0, s);
    }

    public static double[] distribution(float[] a) {
        double total = 0;
        for (float v : a) {
            total += Math.abs(v);
        }
        double[] p = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            p[i] = total == 0 ? 1.0 / a.length : Math.abs(a[i]) / total;
        }
        return p;
    }

    /** Dice coefficient of the top {@code fraction} of pixels of each map (ties by row-major order). */
    public static double diceTop(float[] a, float[] b, double fraction) {
        int k = Math.max(1, (int) Math.round(fraction * a.length));
        boolean[] ta = Relevance.top(a, k);
        boolean[] tb = Relevance.top(b, k);
        int both = 0;
        for (int i = 0; i < a.length; i++) {
            if (ta[i] && tb[i]) {
                both++;
            }
        }
        return 2.0 * both / (2.0 * k);
    }

    /** ROC AUC of the map as a score for the pixels inside {@code mask} (Mann-Whitney; ties count half). */
    public static double auc(float[] map, boolean[] mask) {
        double[] r = ranks(map);
        long pos = 0;
        double sum = 0;
        for (int i = 0; i < map.length; i++) {
            if (mask[i]) {
                pos++;
                sum += r[i];
            }
        }
        long neg = map.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (sum - pos * (pos + 1) / 2.0) / (pos * (double) neg);
    }

    private static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
