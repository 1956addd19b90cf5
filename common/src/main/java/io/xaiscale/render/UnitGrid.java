package io.xaiscale.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/** A grid of unit visualisations: one tile per unit, its index and final activation under it. */
public final class UnitGrid {
    private static final int CAPTION = 16;
    private static final int LABEL = 14;

    /** One unit's image (a PNG) and what to write under it. */
    public record Tile(byte[] png, String label) {}

    private UnitGrid() {}

    private static BufferedImage read(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An image ({@code [C, H, W]} in [0, 1], 1 or 3 channels) drawn in grey with the pixels of
     * {@code mask} tinted red: where a unit fires.
     */
    public static BufferedImage masked(float[] image, int channels, int height, int width, boolean[] mask) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int i = 0; i < plane; i++) {
            float v = 0;
            for (int c = 0; c < channels; c++) {
                v += image[c * plane + i] / channels;
            }
            int g = Math.max(0, Math.min(255, Math.round(v * 255)));
            int rgb =
                    mask[i] ? (Math.min(255, g / 2 + 128) << 16) | ((g / 2) << 8) | (g / 2) : (g << 16) | (g << 8) | g;
            out.setRGB(i % width, i / width, rgb);
        }
        return out;
    }

    /** Tiles {@code scale} times their size, {@code columns} a row, under {@code caption}. */
    public static BufferedImage of(String caption, List<Tile> tiles, int columns, int scale) {
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("No unit to draw for " + caption);
        }
        BufferedImage first = read(tiles.get(0).png());
        int tw = first.getWidth() * scale;
        int th = first.getHeight() * scale;
        int cols = Math.min(columns, tiles.size());
        int rows = (tiles.size() + cols - 1) / cols;
        BufferedImage out =
                new BufferedImage(cols * (tw + 4) + 4, CAPTION + rows * (th + LABEL + 4), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(caption, 4, CAPTION - 4);
            for (int i = 0; i < tiles.size(); i++) {
                int x = 4 + (i % cols) * (tw + 4);
                int y = CAPTION + (i / cols) * (th + LABEL + 4);
                BufferedImage img = read(tiles.get(i).png());
                g.drawImage(img.getScaledInstance(tw, th, Image.SCALE_FAST), x, y, null);
                g.drawString(tiles.get(i).label(), x, y + th + LABEL - 3);
            }
        } finally {
            g.dispose();
        }
        return out;
    }
}
