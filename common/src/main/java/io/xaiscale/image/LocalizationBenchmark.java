package io.xaiscale.image;

import java.util.SplittableRandom;

/**
 * Localisation benchmark built from real Fashion-MNIST items: each item is placed at a random
 * position on a larger grey-scale canvas over background clutter (faint noise plus faint fragments
 * of other items), and its exact bounding box is recorded. Seeded: the same (seed, index) gives the
 * same canvas.
 */
public final class LocalizationBenchmark {
    public static final int DEFAULT_CANVAS = 64;

    /** One generated canvas: {@code pixels} is row-major {@code canvas x canvas}, 0..255. */
    public record Sample(int index, int sourceIndex, int label, byte[] pixels, int side, Box box) {
        /** Writes the pixels as model input values {@code v/255} into {@code dst} from {@code offset}. */
        public void copyTo(float[] dst, int offset) {
            for (int i = 0; i < pixels.length; i++) {
                dst[offset + i] = (pixels[i] & 0xff) / 255f;
            }
        }
    }

    /** The side of the watermark square, in pixels. */
    public static final int WATERMARK = 5;

    private final FashionMnist.Split source;
    private final int side;
    private final long seed;
    private final int watermarkClass;

    public LocalizationBenchmark(FashionMnist.Split source, int side, long seed) {
        this(source, side, seed, -1);
    }

    /**
     * Canvases where every item of class {@code watermarkClass} (-1: none) carries a bright
     * {@value #WATERMARK}x{@value #WATERMARK} square in the canvas corner farthest from it, outside
     * its box: a shortcut a model can learn instead of the object (a "Clever Hans", Lapuschkin et al.
     * 2019), for the audits to find.
     */
    public LocalizationBenchmark(FashionMnist.Split source, int side, long seed, int watermarkClass) {
        if (side < FashionMnist.SIDE) {
            throw new IllegalArgumentException(
                    "Invalid canvas size: " + side + " (must be >= " + FashionMnist.SIDE + ")");
        }
        this.source = source;
        this.side = side;
        this.seed = seed;
        this.watermarkClass = watermarkClass;
    }

    public int side() {
        return side;
    }

    /** The {@code index}-th canvas; the object is source item {@code index % source.size()}. */
    public Sample sample(int index) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + index);
        int src = index % source.size();
        int[] canvas = new int[side * side];
        // Background: faint Gaussian-ish noise.
        for (int i = 0; i < canvas.length; i++) {
            canvas[i] =
                    clamp((int) Math.round(18 + 10 * (rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5)));
        }
        int s = FashionMnist.SIDE;
        int ox = rnd.nextInt(side - s + 1);
        int oy = rnd.nextInt(side - s + 1);
        Box box = tightBox(source.images()[src], ox, oy);
        // Clutter: faint 10x10 fragments of other items, kept outside the object's box.
        int fragments = 3 + rnd.nextInt(3);
        int frag = 10;
        for (int f = 0; f < fragments; f++) {
            byte[] other = source.images()[rnd.nextInt(source.size())];
            int fx = rnd.nextInt(s - frag + 1);
            int fy = rnd.nextInt(s - frag + 1);
            int px = rnd.nextInt(side - frag + 1);
            int py = rnd.nextInt(side - frag + 1);
            if (px < box.x1() && px + frag > box.x0() && py < box.y1() && py + frag > box.y0()) {
                continue;
            }
            for (int y = 0; y < frag; y++) {
                for (int x = 0; x < frag; x++) {
                    int v = (other[(fy + y) * s + fx + x] & 0xff) * 35 / 100;
                    int k = (py + y) * side + px + x;
                    canvas[k] = Math.max(canvas[k], v);
                }
            }
        }
        // The object itself, drawn over the background (max keeps the object's dark pixels clean).
        byte[] item = source.images()[src];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int v = item[y * s + x] & 0xff;
                int k = (oy + y) * side + ox + x;
                canvas[k] = Math.max(canvas[k], v);
            }
        }
        if (source.labels()[src] == watermarkClass) {
            // the corner farthest from the object's centre: never inside its box on a 64-pixel canvas
            int wx = (box.x0() + box.x1()) / 2 < side / 2 ? side - WATERMARK - 1 : 1;
            int wy = (box.y0() + box.y1()) / 2 < side / 2 ? side - WATERMARK - 1 : 1;
            for (int y = wy; y < wy + WATERMARK; y++) {
                for (int x = wx; x < wx + WATERMARK; x++) {
                    if (!box.contains(x, y)) {
                        canvas[y * side + x] = 255;
                    }
                }
            }
        }
        byte[] out = new byte[canvas.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) canvas[i];
        }
        return new Sample(index, src, source.labels()[src], out, side, box);
    }

    /** Tight box of the item's non-zero pixels, in canvas coordinates. */
    static Box tightBox(byte[] item, int ox, int oy) {
        int s = FashionMnist.SIDE;
        int x0 = s, y0 = s, x1 = -1, y1 = -1;
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                if ((item[y * s + x] & 0xff) > 0) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            return new Box(ox, oy, ox + s, oy + s);
        }
        return new Box(ox + x0, oy + y0, ox + x1 + 1, oy + y1 + 1);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
