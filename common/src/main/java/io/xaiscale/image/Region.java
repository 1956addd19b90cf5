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
