package io.xaiscale.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * Encoded image bytes (PNG, JPEG, ...) to model input and back. Pixel values are {@code v/255} in
 * [0, 1], planar {@code [C, H, W]}; grey-scale inputs take the luminance of colour images and colour
 * inputs replicate grey images, so a channel mismatch is converted rather than rejected. Images of
 * another size are resized bilinearly to the model's size.
 */
public final class ImageCodec {
    static {
        ImageIO.setUseCache(false);
    }

    private ImageCodec() {}

    /** Format name, width, height and channel count of encoded bytes, read without resizing. */
    public record Info(String format, int width, int height, int channels) {}

    public static BufferedImage decode(byte[] bytes) throws DecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new DecodeException("empty image content");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("undecodable image (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
        if (img == null) {
            throw new DecodeException("undecodable image (" + bytes.length + " bytes): not a supported format (PNG, JPEG, GIF, BMP)");
        }
        return img;
    }

    public static Info info(byte[] bytes) throws DecodeException {
        BufferedImage img = decode(bytes);
        int channels = img.getColorModel().getNumColorComponents();
        return new Info(formatOf(bytes), img.getWidth(), img.getHeight(), channels);
    }

    static String formatOf(byte[] bytes) {
        try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            java.util.Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
            return readers.hasNext() ? readers.next().getFormatName().toLowerCase(java.util.Locale.ROOT) : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Decodes and converts to {@code channels x height x width} floats in [0, 1]. */
    public static float[] toTensor(byte[] bytes, int channels, int height, int width) throws DecodeException {
        return toTensor(decode(bytes), channels, height, width);
    }

    public static float[] toTensor(BufferedImage src, int channels, int height, int width) {
        BufferedImage img = src.getWidth() == width && src.getHeight() == height ? src : resize(src, width, height);
        float[] out = new float[channels * height * width];
        int plane = height * width;
        java.awt.image.Raster raster = img.getRaster();
        if (raster.getNumBands() == 1 && img.getColorModel().getComponentSize(0) <= 16) {
            // Grey images: raw samples (getRGB would apply a linear-to-sRGB gamma to TYPE_BYTE_GRAY).
            float max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float v = raster.getSample(x, y, 0) / max;
                    for (int c = 0; c < channels; c++) {
                        out[c * plane + y * width + x] = v;
                    }
                }
            }
            return out;
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                int i = y * width + x;
                if (channels == 1) {
                    boolean grey = r == g && g == b;
                    out[i] = (grey ? r : (0.299f * r + 0.587f * g + 0.114f * b)) / 255f;
                } else {
                    out[i] = r / 255f;
                    out[plane + i] = g / 255f;
                    out[2 * plane + i] = b / 255f;
                }
            }
        }
        return out;
    }

    static BufferedImage resize(BufferedImage src, int width, int height) {
        boolean grey = src.getRaster().getNumBands() == 1;
        BufferedImage dst = new BufferedImage(width, height, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        return dst;
    }

    /** Grey-scale bytes (row-major, 0..255) as a PNG. */
    public static byte[] greyPng(byte[] pixels, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, pixels);
        return png(img);
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
