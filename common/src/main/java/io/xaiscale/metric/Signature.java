package io.xaiscale.metric;

/**
 * A map's coarse signature, for the metrics of a dataset rather than of one map (consistency and
 * sufficiency, Dasgupta et al. 2022: do inputs with the same explanation get the same prediction?):
 * the absolute map averaged over an 8 x 8 grid of cells, and the 16 cells (a quarter) of most
 * relevance set as bits of a long (bit {@code 8 row + column}; ties to the lower index). Two maps have
 * the same signature when they put their relevance in the same quarter of the image; the Hamming
 * distance ({@code bit_count(a ^ b)} in SQL) says how far apart they are.
 */
public final class Signature {
    public static final int GRID = 8;
    public static final int TOP = 16;

    private Signature() {}

    /** The signature of a row-major {@code height x width} map. */
    public static long of(float[] map, int offset, int height, int width) {
        float[] cells = new float[GRID * GRID];
        int[] counts = new int[GRID * GRID];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int c = (y * GRID / height) * GRID + x * GRID / width;
                cells[c] += Math.abs(map[offset + y * width + x]);
                counts[c]++;
            }
        }
        for (int c = 0; c < cells.length; c++) {
            cells[c] = counts[c] == 0 ? 0 : cells[c] / counts[c];
        }
        boolean[] top = Relevance.top(cells, TOP);
        long bits = 0;
        for (int c = 0; c < top.length; c++) {
            if (top[c]) {
                bits |= 1L << c;
            }
        }
        return bits;
    }
}
