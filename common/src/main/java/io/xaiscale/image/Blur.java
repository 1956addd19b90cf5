package io.xaiscale.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/** Gaussian blur of {@code [N, C, H, W]} as one depthwise convolution; borders renormalised by the kernel mass inside the image. */
public final class Blur {
    private Blur() {}

    public static NDArray gaussian(NDArray x, double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("Invalid blur sigma: " + sigma + " (must be > 0)");
        }
        int radius = (int) Math.ceil(3 * sigma);
        int k = 2 * radius + 1;
        float[] g = new float[k];
        float sum = 0;
        for (int i = 0; i < k; i++) {
            g[i] = (float) Math.exp(-((i - radius) * (i - radius)) / (2 * sigma * sigma));
            sum += g[i];
        }
        int c = (int) x.getShape().get(1);
        float[] w = new float[c * k * k];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    w[ch * k * k + i * k + j] = g[i] * g[j] / (sum * sum);
                }
            }
        }
        NDArray weight = x.getManager().create(w, new Shape(c, 1, k, k));
        // Normalise by the kernel mass inside the image so borders are not darkened.
        NDArray ones = x.onesLike().get(":1, :1");
        NDArray mass = Conv2d.conv2d(
                        ones, weight.get(":1"), null, new Shape(1, 1), new Shape(radius, radius), new Shape(1, 1), 1)
                .singletonOrThrow();
        NDArray blurred = Conv2d.conv2d(x, weight, null, new Shape(1, 1), new Shape(radius, radius), new Shape(1, 1), c)
                .singletonOrThrow();
        return blurred.div(mass);
    }
}
