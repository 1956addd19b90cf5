package io.xaiscale.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Gaussian blur of {@code [N, C, H, W]} as two depthwise convolutions (a column pass, then a row
 * pass: {@code 2k} products a pixel instead of {@code k^2}); borders renormalised by the kernel mass
 * inside the image. The kernel reaches {@code ceil(3 sigma)} pixels, at most the image's extent (a
 * wider kernel would only add weight outside the image, which the renormalisation removes).
 */
public final class Blur {
    private Blur() {}

    public static NDArray gaussian(NDArray x, double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("Invalid blur sigma: " + sigma + " (must be > 0)");
        }
        Shape s = x.getShape();
        int radius = (int) Math.min(Math.ceil(3 * sigma), Math.max(s.get(2), s.get(3)) - 1);
        int k = 2 * radius + 1;
        float[] g = new float[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            g[i] = (float) Math.exp(-((i - radius) * (double) (i - radius)) / (2 * sigma * sigma));
            sum += g[i];
        }
        int c = (int) s.get(1);
        float[] w = new float[c * k];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < k; i++) {
                w[ch * k + i] = (float) (g[i] / sum);
            }
        }
        NDArray column = x.getManager().create(w, new Shape(c, 1, k, 1));
        NDArray row = column.reshape(c, 1, 1, k);
        // Normalise by the kernel mass inside the image so borders are not darkened.
        NDArray ones = x.onesLike().get(":1, :1");
        NDArray mass = separable(ones, column.get(":1"), row.get(":1"), radius, 1);
        return separable(x, column, row, radius, c).div(mass);
    }

    private static NDArray separable(NDArray x, NDArray column, NDArray row, int radius, int groups) {
        NDArray down = Conv2d.conv2d(x, column, null, new Shape(1, 1), new Shape(radius, 0), new Shape(1, 1), groups)
                .singletonOrThrow();
        return Conv2d.conv2d(down, row, null, new Shape(1, 1), new Shape(0, radius), new Shape(1, 1), groups)
                .singletonOrThrow();
    }
}
