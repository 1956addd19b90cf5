package io.xaiscale.image;

/**
 * Bilinear resizing of float maps with half-pixel centres, as PyTorch's
 * {@code interpolate(mode="bilinear", align_corners=False)} without antialiasing: output pixel
 * {@code d} reads source coordinate {@code (d + 0.5) * in / out - 0.5} (clamped at 0), between pixels
 * {@code floor} and {@code floor + 1} (the last pixel repeated). One pass along the width, then along
 * the height, in float. The CAM family upsamples its maps through here, and readers of maps stored at
 * their native resolution upsample them through here too: the same function on the same floats gives
 * the same map, bit for bit.
 */
public final class Upsample {
    private Upsample() {}

    /** {@code n} maps {@code [h, w]} (row-major, one after the other) resized to {@code [outH, outW]} each. */
    public static float[] bilinear(float[] maps, int n, int h, int w, int outH, int outW) {
        if (maps.length != n * h * w) {
            throw new IllegalArgumentException(
                    "Invalid maps: " + maps.length + " values for " + n + " maps of " + h + "x" + w);
        }
        if (h == outH && w == outW) {
            return maps.clone();
        }
        Axis across = new Axis(w, outW);
        Axis down = new Axis(h, outH);
        float[] rows = new float[h * outW];
        float[] out = new float[n * outH * outW];
        for (int m = 0; m < n; m++) {
            int in = m * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < outW; x++) {
                    float l = across.lambda[x];
                    rows[y * outW + x] =
                            (1 - l) * maps[in + y * w + across.lo[x]] + l * maps[in + y * w + across.hi[x]];
                }
            }
            int o = m * outH * outW;
            for (int y = 0; y < outH; y++) {
                float l = down.lambda[y];
                int lo = down.lo[y] * outW;
                int hi = down.hi[y] * outW;
                for (int x = 0; x < outW; x++) {
                    out[o + y * outW + x] = (1 - l) * rows[lo + x] + l * rows[hi + x];
                }
            }
        }
        return out;
    }

    /** The two source pixels and the weight of the second, for every output pixel along one axis. */
    private static final class Axis {
        final int[] lo;
        final int[] hi;
        final float[] lambda;

        Axis(int in, int out) {
            lo = new int[out];
            hi = new int[out];
            lambda = new float[out];
            float scale = (float) in / out;
            for (int d = 0; d < out; d++) {
                float src = Math.max(scale * (d + 0.5f) - 0.5f, 0f);
                int i = Math.min((int) src, in - 1);
                lo[d] = i;
                hi[d] = Math.min(i + 1, in - 1);
                lambda[d] = Math.min(src - i, 1f);
            }
        }
    }
}
