package io.xaiscale.image;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import io.xaiscale.util.Errors;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;

/**
 * Encoded image bytes (PNG, JPEG, ...) to model input and back. Pixel values are {@code v/255} in
 * [0, 1], planar {@code [C, H, W]}; grey-scale inputs take the luminance of colour images and colour
 * inputs replicate grey images, so a channel mismatch is converted rather than rejected. Images of
 * another size are brought to the model's size by its {@link Geometry} (Pillow's resampling).
 */
public final class ImageCodec {
    /** {@code v / 255f} for every 8-bit sample {@code v}. */
    private static final float[] UNIT = new float[256];

    static {
        ImageIO.setUseCache(false);
        // Named, not left to the classpath scan: on a Spark executor the scan may run before the job jar
        // is the context class loader. TwelveMonkeys orders itself before the JDK's JPEG reader.
        IIORegistry.getDefaultInstance().registerServiceProvider(new JPEGImageReaderSpi());
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }

    private ImageCodec() {}

    /**
     * Format name, width, height and channel count of encoded bytes, read without resizing; the size
     * is the upright image's (after its EXIF {@code orientation}, 1 when it states none), the size
     * viewers show and annotation tools draw boxes on.
     */
    public record Info(String format, int width, int height, int channels, int orientation) {}

    /**
     * Pixels an image may claim in its header before anything is decoded (PIL refuses images of the
     * same order, 179 million pixels): above it an image is an error, whatever its file size.
     */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    /**
     * Images with more pixels than this are decoded with source subsampling (every k-th row and
     * column, k as large as keeps at least twice the size asked for), so memory is bounded by the
     * size asked for, not by the file: a 100-megapixel JPEG never takes 400 MB of heap.
     */
    static final long FULL_DECODE_PIXELS = 16_000_000L;

    /** The side an ingest check decodes a large image down to (every byte is still read). */
    private static final int CHECK_SIDE = 1024;

    /**
     * Decodes the whole image, upright (at most {@link #DEFAULT_MAX_PIXELS}, subsampled above
     * {@link #FULL_DECODE_PIXELS}).
     */
    public static BufferedImage decode(byte[] bytes) throws DecodeException {
        return decode(bytes, true);
    }

    /** {@link #decode(byte[])}, turned by its EXIF orientation only when {@code upright}. */
    public static BufferedImage decode(byte[] bytes, boolean upright) throws DecodeException {
        return read(bytes, CHECK_SIDE, CHECK_SIDE, DEFAULT_MAX_PIXELS, upright).image();
    }

    /** Format name, width, height and channel count of encoded bytes, with every byte decoded once. */
    public static Info info(byte[] bytes) throws DecodeException {
        return info(bytes, DEFAULT_MAX_PIXELS);
    }

    /**
     * {@link #info(byte[])} with a pixel limit checked from the header before any pixel is decoded;
     * the data is then decoded once (subsampled when large) to prove it is complete.
     */
    public static Info info(byte[] bytes, long maxPixels) throws DecodeException {
        Read r = read(bytes, CHECK_SIDE, CHECK_SIDE, maxPixels, true);
        return new Info(
                r.format(),
                r.width(),
                r.height(),
                r.image().getColorModel().getNumColorComponents(),
                r.orientation().value());
    }

    /**
     * A decoded image, its format and the size its header states, upright when asked (the image itself
     * may be subsampled), and the orientation its metadata states.
     */
    private record Read(BufferedImage image, String format, int width, int height, Orientation orientation) {}

    /**
     * Reads the header, refuses more than {@code maxPixels}, then decodes, subsampled so that at
     * least {@code 2 x minWidth} by {@code 2 x minHeight} pixels remain when the image is larger
     * than {@link #FULL_DECODE_PIXELS}; turned by its EXIF orientation when {@code upright}.
     */
    private static Read read(byte[] bytes, int minWidth, int minHeight, long maxPixels, boolean upright)
            throws DecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new DecodeException("empty file (0 bytes)");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DecodeException("undecodable image (" + bytes.length
                        + " bytes): not a supported format (PNG, JPEG, GIF, BMP, TIFF)");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                int w;
                int h;
                try {
                    w = reader.getWidth(0);
                    h = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new DecodeException(
                            "undecodable " + format + " image (" + bytes.length + " bytes): " + Errors.describe(e), e);
                }
                long pixels = (long) w * h;
                if (pixels > maxPixels) {
                    throw new DecodeException(String.format(
                            Locale.ROOT,
                            "%s image of %dx%d = %d pixels is above the limit of %d pixels (raise it with --max-pixels)",
                            format,
                            w,
                            h,
                            pixels,
                            maxPixels));
                }
                int precision = JpegSegments.dctPrecision(bytes);
                if (precision != 0 && precision != 8) {
                    throw new DecodeException(String.format(
                            Locale.ROOT,
                            "%s image of %dx%d with %d-bit samples: only 8-bit lossy JPEGs are read (as by Pillow "
                                    + "and torchvision); convert it to 8 bits (e.g. to PNG) first",
                            format,
                            w,
                            h,
                            precision));
                }
                Orientation orientation = Orientation.read(bytes);
                boolean turn = upright && orientation.swapsAxes();
                ImageReadParam param = reader.getDefaultReadParam();
                int step = turn ? subsampling(w, h, minHeight, minWidth) : subsampling(w, h, minWidth, minHeight);
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                try {
                    BufferedImage image = reader.read(0, param);
                    if (!upright) {
                        return new Read(image, format, w, h, orientation);
                    }
                    return new Read(orientation.apply(image), format, turn ? h : w, turn ? w : h, orientation);
                } catch (IOException | RuntimeException e) {
                    throw new DecodeException(
                            "undecodable " + format + " image (" + bytes.length + " bytes, " + w + "x" + h + "): "
                                    + Errors.describe(e),
                            e);
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new DecodeException("unreadable image (" + bytes.length + " bytes): " + Errors.describe(e), e);
        }
    }

    /** The subsampling step for an image of {@code w x h} decoded for at least {@code minW x minH}. */
    static int subsampling(int w, int h, int minW, int minH) {
        if ((long) w * h <= FULL_DECODE_PIXELS) {
            return 1;
        }
        return Math.max(1, Math.min(w / (2 * Math.max(1, minW)), h / (2 * Math.max(1, minH))));
    }

    /** Decodes and converts to {@code channels x height x width} floats in [0, 1]. */
    public static float[] toTensor(byte[] bytes, int channels, int height, int width) throws DecodeException {
        float[] out = new float[channels * height * width];
        toTensor(bytes, channels, height, width, out, 0);
        return out;
    }

    /**
     * {@link #toTensor(byte[], int, int, int)} written into {@code out} from {@code offset} (a batch's
     * array, one image after the other); on an error, what was written there is undefined.
     */
    public static void toTensor(byte[] bytes, int channels, int height, int width, float[] out, int offset)
            throws DecodeException {
        toTensor(bytes, channels, height, width, Geometry.STRETCH, out, offset);
    }

    /**
     * Decodes and brings the image to the model's {@code height x width} through {@code geometry}
     * (turned upright unless it ignores EXIF orientation, resized as Pillow does, cropped or padded),
     * written into {@code out} from {@code offset}. An image already of that size under a geometry
     * that leaves it as it is keeps its samples exactly.
     */
    public static void toTensor(
            byte[] bytes, int channels, int height, int width, Geometry geometry, float[] out, int offset)
            throws DecodeException {
        boolean same = geometry.transform(width, height, width, height).identity()
                && (!geometry.upright() || Orientation.read(bytes) == Orientation.NORMAL);
        PngPixels.Pixels direct = bytes == null || !same ? null : PngPixels.read(bytes, width, height);
        if (direct != null) {
            write(direct, channels, out, offset);
        } else {
            write(
                    read(bytes, width, height, DEFAULT_MAX_PIXELS, geometry.upright())
                            .image(),
                    channels,
                    height,
                    width,
                    geometry,
                    out,
                    offset);
        }
    }

    public static float[] toTensor(BufferedImage src, int channels, int height, int width) {
        float[] out = new float[channels * height * width];
        write(src, channels, height, width, Geometry.STRETCH, out, 0);
        return out;
    }

    private static void write(
            BufferedImage img, int channels, int height, int width, Geometry geometry, float[] out, int offset) {
        Geometry.Transform t = geometry.transform(img.getWidth(), img.getHeight(), width, height);
        if (!t.identity()) {
            byte[][] planes = geometry.apply(planes(img), t);
            int plane = height * width;
            if (planes.length == 1) {
                for (int c = 0; c < channels; c++) {
                    for (int i = 0; i < plane; i++) {
                        out[offset + c * plane + i] = UNIT[planes[0][i] & 0xff];
                    }
                }
            } else {
                for (int i = 0; i < plane; i++) {
                    putRgb(
                            out,
                            offset + i,
                            plane,
                            channels,
                            planes[0][i] & 0xff,
                            planes[1][i] & 0xff,
                            planes[2][i] & 0xff);
                }
            }
            return;
        }
        int plane = height * width;
        Raster raster = img.getRaster();
        if (raster.getNumBands() == 1 && img.getColorModel().getComponentSize(0) <= 16) {
            // Grey images: raw samples (getRGB would apply a linear-to-sRGB gamma to TYPE_BYTE_GRAY).
            float max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    putGrey(out, offset + y * width + x, plane, channels, raster.getSample(x, y, 0) / max);
                }
            }
            return;
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = img.getRGB(x, y);
                putRgb(out, offset + y * width + x, plane, channels, (rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
            }
        }
    }

    /**
     * The 8-bit planes of an image, as torchvision's loader sees it ({@code convert("RGB")}): grey
     * images one plane (16-bit samples rounded to 8 bits), everything else R, G, B (palette expanded,
     * alpha dropped, CMYK converted by ImageIO).
     */
    static byte[][] planes(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        Raster raster = img.getRaster();
        if (raster.getNumBands() == 1 && img.getColorModel().getComponentSize(0) <= 16) {
            int bits = img.getColorModel().getComponentSize(0);
            int max = (1 << bits) - 1;
            byte[] g = new byte[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = raster.getSample(x, y, 0);
                    g[y * w + x] = (byte) (bits == 8 ? v : (v * 255 + max / 2) / max);
                }
            }
            return new byte[][] {g};
        }
        byte[][] rgb = new byte[3][w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                rgb[0][y * w + x] = (byte) (row[x] >> 16);
                rgb[1][y * w + x] = (byte) (row[x] >> 8);
                rgb[2][y * w + x] = (byte) row[x];
            }
        }
        return rgb;
    }

    /** The same values as ImageIO's image of these pixels gives above. */
    private static void write(PngPixels.Pixels p, int channels, float[] out, int offset) {
        int plane = p.height() * p.width();
        byte[] s = p.samples();
        int bpp = p.bytesPerPixel();
        if (bpp == 1) {
            for (int i = 0; i < plane; i++) {
                out[offset + i] = UNIT[s[i] & 0xff];
            }
            for (int c = 1; c < channels; c++) {
                System.arraycopy(out, offset, out, offset + c * plane, plane);
            }
            return;
        }
        for (int i = 0, at = 0; i < plane; i++, at += bpp) {
            putRgb(out, offset + i, plane, channels, s[at] & 0xff, s[at + 1] & 0xff, s[at + 2] & 0xff);
        }
    }

    /** Pixel {@code i} (counted from the array's start) of every channel plane. */
    private static void putGrey(float[] out, int i, int plane, int channels, float v) {
        for (int c = 0; c < channels; c++) {
            out[c * plane + i] = v;
        }
    }

    private static void putRgb(float[] out, int i, int plane, int channels, int r, int g, int b) {
        if (channels == 1) {
            boolean grey = r == g && g == b;
            out[i] = grey ? UNIT[r] : (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
        } else {
            out[i] = UNIT[r];
            out[plane + i] = UNIT[g];
            out[2 * plane + i] = UNIT[b];
        }
    }

    /** Grey-scale bytes (row-major, 0..255) as a PNG. */
    public static byte[] greyPng(byte[] pixels, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, pixels);
        return png(img);
    }

    /**
     * The image of a tensor {@code [C, H, W]} in [0, 1] at {@code offset} (1 channel: grey, 3: RGB),
     * values rounded to 8 bits and clipped.
     */
    public static BufferedImage fromTensor(float[] t, int offset, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Invalid channels: " + channels + " (1 or 3)");
        }
        int plane = height * width;
        BufferedImage img = new BufferedImage(
                width, height, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = offset + y * width + x;
                if (channels == 1) {
                    img.getRaster().setSample(x, y, 0, byteOf(t[i]));
                } else {
                    img.setRGB(x, y, byteOf(t[i]) << 16 | byteOf(t[i + plane]) << 8 | byteOf(t[i + 2 * plane]));
                }
            }
        }
        return img;
    }

    private static int byteOf(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255)));
    }

    public static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
