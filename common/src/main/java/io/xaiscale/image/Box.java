package io.xaiscale.image;

/**
 * An axis-aligned bounding box in pixel coordinates, half-open: columns {@code [x0, x1)}, rows
 * {@code [y0, y1)}.
 */
public record Box(int x0, int y0, int x1, int y1) {
    public Box {
        if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("Invalid box: (" + x0 + "," + y0 + ")-(" + x1 + "," + y1
                    + ") (must satisfy 0 <= x0 < x1 and 0 <= y0 < y1)");
        }
    }

    public int width() {
        return x1 - x0;
    }

    public int height() {
        return y1 - y0;
    }

    public int area() {
        return width() * height();
    }

    public boolean contains(int x, int y) {
        return x >= x0 && x < x1 && y >= y0 && y < y1;
    }

    /** A row-major {@code height x width} mask with 1 inside the box (clipped to the image). */
    public boolean[] mask(int width, int height) {
        boolean[] m = new boolean[width * height];
        for (int y = Math.max(0, y0); y < Math.min(height, y1); y++) {
            for (int x = Math.max(0, x0); x < Math.min(width, x1); x++) {
                m[y * width + x] = true;
            }
        }
        return m;
    }
}
