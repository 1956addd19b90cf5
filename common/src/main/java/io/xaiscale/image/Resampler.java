package io.xaiscale.image;

/**
 * Resizes 8-bit planes exactly as Pillow's {@code Image.resize} does (and so torchvision's
 * {@code Resize} on PIL images): separable filters (bilinear = triangle of support 1, bicubic with
 * a = -0.5 and support 2) whose support grows with the downscale factor (antialiasing), coefficients
 * in 22-bit fixed point with rounding, a horizontal pass then a vertical pass, each rounded to 8 bits;
 * nearest samples pixel {@code floor((x + 0.5) * scale)}. Same bytes in, same bytes out as Pillow 9.
 */
public final class Resampler {
    /** Interpolations of the model card's {@code preprocessing.resize}. */
    public enum Filter {
        NEAREST(0),
        BILINEAR(1),
        BICUBIC(2);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            x = Math.abs(x);
            switch (this) {
                case BILINEAR:
                    return x < 1 ? 1 - x : 0;
                case BICUBIC:
                    double a = -0.5;
                    if (x < 1) {
                        return ((a + 2) * x - (a + 3)) * x * x + 1;
                    }
                    return x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0;
                default:
                    throw new IllegalStateException("nearest has no filter weights");
            }
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {}

    /**
     * {@code plane} (row-major {@code h x w}, values 0..255 in the low byte) resized to
     * {@code outW x outH}; {@code antialias} false keeps the filter's support at 1 pixel of the source
     * (torchvision's tensor path without antialiasing), true is Pillow.
     */
    public static byte[] resize(byte[] plane, int w, int h, int outW, int outH, Filter filter, boolean antialias) {
        if (w == outW && h == outH) {
            return plane.clone();
        }
        if (filter == Filter.NEAREST) {
            return nearest(plane, w, h, outW, outH);
        }
        byte[] horizontal = plane;
        if (outW != w) {
            Coefficients c = Coefficients.of(w, outW, filter, antialias);
            horizontal = new byte[outW * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < outW; x++) {
                    int min = c.bounds[2 * x];
                    int n = c.bounds[2 * x + 1];
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int k = 0; k < n; k++) {
                        ss += (plane[y * w + min + k] & 0xff) * (long) c.k[x * c.size + k];
                    }
                    horizontal[y * outW + x] = clip8(ss);
                }
            }
        }
        if (outH == h) {
            return horizontal;
        }
        Coefficients c = Coefficients.of(h, outH, filter, antialias);
        byte[] out = new byte[outW * outH];
        for (int y = 0; y < outH; y++) {
            int min = c.bounds[2 * y];
            int n = c.bounds[2 * y + 1];
            for (int x = 0; x < outW; x++) {
                long ss = 1L << (PRECISION_BITS - 1);
                for (int k = 0; k < n; k++) {
                    ss += (horizontal[(min + k) * outW + x] & 0xff) * (long) c.k[y * c.size + k];
                }
                out[y * outW + x] = clip8(ss);
            }
        }
        return out;
    }

    private static byte clip8(long ss) {
        if (ss >= (1L << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        return ss <= 0 ? 0 : (byte) (ss >> PRECISION_BITS);
    }

    /** Pillow's affine nearest: the source coordinate accumulates {@code scale} from {@code scale / 2}. */
    private static byte[] nearest(byte[] plane, int w, int h, int outW, int outH) {
        double sx = (double) w / outW;
        double sy = (double) h / outH;
        int[] xs = new int[outW];
        double xo = sx * 0.5;
        for (int x = 0; x < outW; x++, xo += sx) {
            xs[x] = Math.min(w - 1, (int) xo);
        }
        byte[] out = new byte[outW * outH];
        double yo = sy * 0.5;
        for (int y = 0; y < outH; y++, yo += sy) {
            int row = Math.min(h - 1, (int) yo) * w;
            for (int x = 0; x < outW; x++) {
                out[y * outW + x] = plane[row + xs[x]];
            }
        }
        return out;
    }

    /** Per output pixel: the first source pixel, how many, and their fixed-point weights. */
    private record Coefficients(int size, int[] bounds, int[] k) {
        static Coefficients of(int in, int out, Filter filter, boolean antialias) {
            double scale = (double) in / out;
            double filterScale = antialias ? Math.max(1, scale) : 1;
            double support = filter.support * filterScale;
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[2 * out];
            int[] k = new int[out * size];
            double[] w = new double[size];
            for (int xx = 0; xx < out; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1 / filterScale;
                int min = Math.max(0, (int) (center - support + 0.5));
                int max = Math.min(in, (int) (center + support + 0.5)) - min;
                double total = 0;
                for (int x = 0; x < max; x++) {
                    w[x] = filter.weight((x + min - center + 0.5) * ss);
                    total += w[x];
                }
                for (int x = 0; x < max; x++) {
                    double v = total != 0 ? w[x] / total : w[x];
                    k[xx * size + x] =
                            (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
                }
                bounds[2 * xx] = min;
                bounds[2 * xx + 1] = max;
            }
            return new Coefficients(size, bounds, k);
        }
    }
}
