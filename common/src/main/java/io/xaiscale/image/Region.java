package io.xaiscale.image;

import java.util.Arrays;
import java.util.List;

/**
 * Ground truth in the model's input coordinates: a set of pixels of a {@code width x height} grid,
 * the union of an image's boxes of one class or its segmentation mask of that class. Localisation
 * metrics ask it what they need: a pixel's membership, the area, the mask, the distance to it.
 */
public record Region(boolean[] mask, int width, int height) {
    public Region {
        if (mask.length != width * height) {
            throw new IllegalArgumentException("mask of " + mask.length + " pixels for " + width + "x" + height);
        }
    }

    /** The pixels of one box, clipped to the grid. */
    public static Region of(Box box, int width, int height) {
        return new Region(box.mask(width, height), width, height);
    }

    /** The union of {@code boxes}, each clipped to the grid; null when there is none. */
    public static Region union(List<Box> boxes, int width, int height) {
        if (boxes.isEmpty()) {
            return null;
        }
        boolean[] m = new boolean[width * height];
        for (Box b : boxes) {
            for (int y = Math.max(0, b.y0()); y < Math.min(height, b.y1()); y++) {
                Arrays.fill(m, y * width + Math.max(0, b.x0()), y * width + Math.min(width, b.x1()), true);
            }
        }
        return new Region(m, width, height);
    }

    public boolean contains(int x, int y) {
        return x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x];
    }

    /** Pixels in the region. */
    public int area() {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /**
     * The region grown by {@code r} pixels in every direction (a square dilation: a box becomes the box
     * {@code r} pixels larger on each side, clipped to the grid).
     */
    public Region dilate(int r) {
        if (r <= 0) {
            return this;
        }
        boolean[] rows = new boolean[mask.length];
        for (int y = 0; y < height; y++) {
            int last = Integer.MIN_VALUE / 2; // the last member pixel at or left of x, then the next right of it
            for (int x = 0; x < width; x++) {
                if (mask[y * width + x]) {
                    last = x;
                }
                rows[y * width + x] = x - last <= r;
            }
            last = Integer.MAX_VALUE / 2;
            for (int x = width - 1; x >= 0; x--) {
                if (mask[y * width + x]) {
                    last = x;
                }
                rows[y * width + x] |= last - x <= r;
            }
        }
        boolean[] out = new boolean[mask.length];
        for (int x = 0; x < width; x++) {
            int last = Integer.MIN_VALUE / 2;
            for (int y = 0; y < height; y++) {
                if (rows[y * width + x]) {
                    last = y;
                }
                out[y * width + x] = y - last <= r;
            }
            last = Integer.MAX_VALUE / 2;
            for (int y = height - 1; y >= 0; y--) {
                if (rows[y * width + x]) {
                    last = y;
                }
                out[y * width + x] |= last - y <= r;
            }
        }
        return new Region(out, width, height);
    }

    /** Whether a pixel of the region lies within Euclidean distance {@code radius} of (x, y). */
    public boolean within(int x, int y, int radius) {
        for (int dy = -radius; dy <= radius; dy++) {
            for (int dx = -radius; dx <= radius; dx++) {
                if (dx * dx + dy * dy <= radius * radius && contains(x + dx, y + dy)) {
                    return true;
                }
            }
        }
        return false;
    }
}
