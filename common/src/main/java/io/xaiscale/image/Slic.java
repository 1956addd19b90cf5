package io.xaiscale.image;

import java.util.Arrays;

/**
 * SLIC superpixels (Achanta et al. 2012) on an image {@code [C, H, W]} with values in [0, 1]:
 * k-means in colour-and-position space, centres seeded on a regular grid, each pixel compared only
 * with centres within two grid steps. The distance is {@code sqrt(dc^2 + (ds / S)^2 * m^2)} with
 * {@code dc} the colour distance, {@code ds} the pixel distance, {@code S} the grid step and
 * {@code m} the compactness (relative to the [0, 1] value range). Labels are renumbered 0..n-1 with
 * no empty segment; connectivity is not enforced.
 */
public final class Slic {
    private Slic() {}

    /** Segment label of each pixel (row-major {@code H*W}); the number of segments is {@code max + 1}. */
    public static int[] segment(float[] pixels, int c, int h, int w, int segments, double compactness, int iterations) {
        int step = Math.max(1, (int) Math.round(Math.sqrt((double) h * w / segments)));
        int gy = Math.max(1, (h + step - 1) / step);
        int gx = Math.max(1, (w + step - 1) / step);
        int k = gy * gx;
        double[] cy = new double[k];
        double[] cx = new double[k];
        double[][] col = new double[k][c];
        int idx = 0;
        for (int i = 0; i < gy; i++) {
            for (int j = 0; j < gx; j++) {
                cy[idx] = Math.min(h - 1, i * step + step / 2.0);
                cx[idx] = Math.min(w - 1, j * step + step / 2.0);
                int p = (int) cy[idx] * w + (int) cx[idx];
                for (int ch = 0; ch < c; ch++) {
                    col[idx][ch] = pixels[ch * h * w + p];
                }
                idx++;
            }
        }
        int[] label = new int[h * w];
        double[] best = new double[h * w];
        double spatial = compactness / step;
        for (int it = 0; it < iterations; it++) {
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            for (int q = 0; q < k; q++) {
                int y0 = Math.max(0, (int) (cy[q] - 2 * step));
                int y1 = Math.min(h - 1, (int) (cy[q] + 2 * step));
                int x0 = Math.max(0, (int) (cx[q] - 2 * step));
                int x1 = Math.min(w - 1, (int) (cx[q] + 2 * step));
                for (int y = y0; y <= y1; y++) {
                    for (int x = x0; x <= x1; x++) {
                        int p = y * w + x;
                        double dc = 0;
                        for (int ch = 0; ch < c; ch++) {
                            double d = pixels[ch * h * w + p] - col[q][ch];
                            dc += d * d;
                        }
                        double dy = y - cy[q];
                        double dx = x - cx[q];
                        double dist = dc + (dy * dy + dx * dx) * spatial * spatial;
                        if (dist < best[p]) {
                            best[p] = dist;
                            label[p] = q;
                        }
                    }
                }
            }
            double[] sy = new double[k];
            double[] sx = new double[k];
            double[][] sc = new double[k][c];
            int[] count = new int[k];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    int q = label[p];
                    sy[q] += y;
                    sx[q] += x;
                    for (int ch = 0; ch < c; ch++) {
                        sc[q][ch] += pixels[ch * h * w + p];
                    }
                    count[q]++;
                }
            }
            for (int q = 0; q < k; q++) {
                if (count[q] > 0) {
                    cy[q] = sy[q] / count[q];
                    cx[q] = sx[q] / count[q];
                    for (int ch = 0; ch < c; ch++) {
                        col[q][ch] = sc[q][ch] / count[q];
                    }
                }
            }
        }
        int[] remap = new int[k];
        Arrays.fill(remap, -1);
        int next = 0;
        for (int p = 0; p < label.length; p++) {
            if (remap[label[p]] < 0) {
                remap[label[p]] = next++;
            }
            label[p] = remap[label[p]];
        }
        return label;
    }
}
