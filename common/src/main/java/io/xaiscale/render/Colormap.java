package io.xaiscale.render;

/** The jet colour map of the saliency literature: blue (0) through cyan, yellow to red (1). */
public final class Colormap {
    private Colormap() {}

    /** Packed RGB of {@code v} in [0, 1] (clamped). */
    public static int jet(double v) {
        double t = Math.max(0, Math.min(1, v));
        double r = clamp(1.5 - Math.abs(4 * t - 3));
        double g = clamp(1.5 - Math.abs(4 * t - 2));
        double b = clamp(1.5 - Math.abs(4 * t - 1));
        return ((int) Math.round(r * 255) << 16) | ((int) Math.round(g * 255) << 8) | (int) Math.round(b * 255);
    }

    /**
     * Packed RGB of a signed {@code v} in [-1, 1] (clamped) on a diverging map: blue for negative,
     * white at 0, red for positive, so evidence for and against a class read apart.
     */
    public static int diverging(double v) {
        double t = Math.max(-1, Math.min(1, v));
        int fade = (int) Math.round((1 - Math.abs(t)) * 255);
        return t >= 0 ? (255 << 16) | (fade << 8) | fade : (fade << 16) | (fade << 8) | 255;
    }

    private static double clamp(double x) {
        return Math.max(0, Math.min(1, x));
    }
}
