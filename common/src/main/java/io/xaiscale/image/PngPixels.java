package io.xaiscale.image;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The pixels of the PNGs a dataset mostly holds, read straight from their bytes: 8-bit grey, RGB or
 * RGBA, not interlaced, no transparency key and no colour profile. For these, ImageIO's general
 * reader (service lookup, image streams, metadata, a {@code BufferedImage} read pixel by pixel)
 * costs about as much as the inflation itself; here the explain stage pays only the inflation, and
 * one {@link Inflater} per thread is reused.
 *
 * <p>Anything else, including a damaged file, is not read here ({@link #read} returns null) and
 * goes to ImageIO, which decides what is an error and says so.
 */
final class PngPixels {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int RGBA = 6;
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);

    /** Unfiltered samples, {@code bytesPerPixel} interleaved bytes per pixel, row-major. */
    record Pixels(int width, int height, int bytesPerPixel, byte[] samples) {}

    private PngPixels() {}

    /**
     * The pixels of {@code png}, or null when it is not a {@code width x height} PNG this reader
     * takes (see the class comment).
     */
    static Pixels read(byte[] png, int width, int height) {
        if (png.length < 8 + 25 || !startsWithSignature(png) || int32(png, 8) != 13 || !type(png, 12, "IHDR")) {
            return null;
        }
        if (int32(png, 16) != width || int32(png, 20) != height) {
            return null;
        }
        int depth = png[24];
        int colour = png[25];
        boolean plain = png[26] == 0 && png[27] == 0 && png[28] == 0; // deflate, adaptive filters, not interlaced
        int bpp = colour == GREY ? 1 : colour == RGB ? 3 : colour == RGBA ? 4 : 0;
        if (depth != 8 || bpp == 0 || !plain || width <= 0 || height <= 0 || (long) width * height * bpp > 1 << 28) {
            return null;
        }
        int stride = width * bpp;
        byte[] raw = new byte[height * (stride + 1)];
        Inflater inflater = INFLATER.get();
        inflater.reset();
        int filled = 0;
        boolean ended = false;
        try {
            for (int at = 8 + 25; !ended; ) {
                if (at + 12 > png.length) {
                    return null;
                }
                int length = int32(png, at);
                if (length < 0 || at + 12L + length > png.length) {
                    return null;
                }
                if (type(png, at + 4, "IDAT")) {
                    inflater.setInput(png, at + 8, length);
                    while (!inflater.needsInput() && !inflater.finished()) {
                        // once the rows are full, only the stream's end may follow: any byte more is not this image
                        int n = filled < raw.length
                                ? inflater.inflate(raw, filled, raw.length - filled)
                                : inflater.inflate(new byte[1]);
                        if (n > 0 && filled == raw.length || n == 0 && !inflater.needsInput() && !inflater.finished()) {
                            return null;
                        }
                        filled += n;
                    }
                } else if (type(png, at + 4, "IEND")) {
                    ended = true;
                } else if (type(png, at + 4, "tRNS") || type(png, at + 4, "iCCP")) {
                    return null; // ImageIO adds an alpha channel or converts colours for these
                }
                at += 12 + length;
            }
        } catch (DataFormatException e) {
            return null;
        }
        if (filled != raw.length || !inflater.finished()) {
            return null;
        }
        return unfilter(raw, width, height, bpp)
                ? new Pixels(width, height, bpp, Arrays.copyOf(raw, stride * height))
                : null;
    }

    /**
     * Reverses each row's filter in place and packs the rows without their filter bytes at the
     * start of {@code raw}; false when a row names an unknown filter.
     */
    static boolean unfilter(byte[] raw, int width, int height, int bpp) {
        int stride = width * bpp;
        byte[] zeros = new byte[stride]; // the row above the first
        for (int y = 0; y < height; y++) {
            int in = y * (stride + 1) + 1;
            int out = y * stride;
            byte[] prev = y == 0 ? zeros : raw;
            int up = y == 0 ? 0 : out - stride; // the previous row, already unfiltered and packed
            switch (raw[in - 1]) {
                case 0 -> System.arraycopy(raw, in, raw, out, stride);
                case 1 -> {
                    System.arraycopy(raw, in, raw, out, bpp);
                    for (int i = bpp; i < stride; i++) {
                        raw[out + i] = (byte) (raw[in + i] + raw[out + i - bpp]);
                    }
                }
                case 2 -> {
                    for (int i = 0; i < stride; i++) {
                        raw[out + i] = (byte) (raw[in + i] + prev[up + i]);
                    }
                }
                case 3 -> {
                    for (int i = 0; i < bpp; i++) {
                        raw[out + i] = (byte) (raw[in + i] + ((prev[up + i] & 0xff) >>> 1));
                    }
                    for (int i = bpp; i < stride; i++) {
                        raw[out + i] =
                                (byte) (raw[in + i] + (((raw[out + i - bpp] & 0xff) + (prev[up + i] & 0xff)) >>> 1));
                    }
                }
                case 4 -> {
                    for (int i = 0; i < bpp; i++) {
                        raw[out + i] = (byte) (raw[in + i] + prev[up + i]); // left and up-left are 0: Paeth picks up
                    }
                    for (int i = bpp; i < stride; i++) {
                        raw[out + i] = (byte) (raw[in + i]
                                + paeth(raw[out + i - bpp] & 0xff, prev[up + i] & 0xff, prev[up + i - bpp] & 0xff));
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static boolean startsWithSignature(byte[] b) {
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (b[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean type(byte[] b, int at, String name) {
        return b[at] == name.charAt(0)
                && b[at + 1] == name.charAt(1)
                && b[at + 2] == name.charAt(2)
                && b[at + 3] == name.charAt(3);
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }
}
