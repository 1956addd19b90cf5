package io.xaiscale.render;

import io.xaiscale.image.Box;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Heatmap overlays as in the literature: the map's magnitude, normalised by its 99th percentile,
 * in the jet colour map blended over the grey image; one grid per image with the input (and its
 * ground-truth box) first and one tile per method, each titled.
 */
public final class Overlay {
    /**
     * A tile of a grid: its title, its map ({@code height x width}, row-major), how it is coloured (null: as
     * the grid says) and the map value its colour scale ends at ({@link #scale}; NaN: unknown, no colour
     * bar).
     */
    public record Tile(String title, float[] map, Colors colors, float scale) {
        public Tile(String title, float[] map) {
            this(title, map, null, Float.NaN);
        }

        public Tile(String title, float[] map, Colors colors) {
            this(title, map, colors, Float.NaN);
        }
    }

    /** How a map is coloured: jet of its magnitude (the literature's default) or its sign on a diverging map. */
    public enum Colors {
        MAGNITUDE("jet colour map of |map|"),
        SIGNED("diverging map of the signed map: red for, blue against the class"),
        AUTO("signed maps (a value below 0) on the diverging map, red for and blue against the class;"
                + " non-negative ones (CAM-style) as jet of their magnitude");

        public static final List<String> NAMES = List.of("magnitude", "signed", "auto");
        public final String description;

        Colors(String description) {
            this.description = description;
        }

        /** The colours of {@code map}: this, or for {@link #AUTO} signed when the map has a negative value. */
        public Colors of(float[] map) {
            if (this != AUTO) {
                return this;
            }
            for (float v : map) {
                if (v < 0) {
                    return SIGNED;
                }
            }
            return MAGNITUDE;
        }

        public static Colors parse(String name) {
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException(
                        "Invalid --colors: " + name + " (valid: " + String.join(", ", NAMES) + ")");
            }
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Where maps are drawn: on the model's input (what the model saw, at its resolution) or on the
     * original image (the map taken back through the inverse of the preprocessing geometry; margins
     * the geometry cropped away are hatched).
     */
    public enum View {
        INPUT,
        ORIGINAL;

        public static final List<String> NAMES = List.of("input", "original");

        public static View parse(String name) {
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException(
                        "Invalid --on: " + name + " (valid: " + String.join(", ", NAMES) + ")");
            }
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /** The map scaled by the 99th percentile of its magnitude into [-1, 1], its sign kept. */
    public static float[] normaliseSigned(float[] map) {
        return normalised(map, scale(map), true);
    }

    private static final int TITLE = 14;

    private Overlay() {}

    /** The map scaled for {@code colors}: {@link #normaliseSigned} or {@link #normalise}. */
    public static float[] normalise(float[] map, Colors colors) {
        return normalised(map, scale(map), colors.of(map) == Colors.SIGNED);
    }

    /**
     * A tile of {@code map} ready to draw: the map scaled for its colours ({@link #normalise(float[],
     * Colors)}), the colours {@code colors} gives it, and the scale its colour bar states, the map's
     * magnitudes sorted once for both.
     */
    public static Tile scaled(String title, float[] map, Colors colors) {
        float hi = scale(map);
        Colors c = colors.of(map);
        return new Tile(title, normalised(map, hi, c == Colors.SIGNED), c, hi);
    }

    /**
     * The map value a tile's colour scale ends at: the 99th percentile of the map's magnitude (its largest
     * magnitude when that is 0), which {@link #normalise} maps to 1; what the colour bar says.
     */
    public static float scale(float[] map) {
        float[] sorted = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            sorted[i] = Math.abs(map[i]);
        }
        Arrays.sort(sorted);
        float hi = sorted[Math.min(sorted.length - 1, (int) Math.floor(0.99 * (sorted.length - 1)))];
        return hi <= 0 ? sorted[sorted.length - 1] : hi;
    }

    /** Magnitudes scaled to [0, 1] by the 99th percentile (robust to a few extreme pixels). */
    public static float[] normalise(float[] map) {
        return normalised(map, scale(map), false);
    }

    /** {@code |map| / hi} clamped to 1 (0 where {@code hi} is 0), with the map's signs when {@code signed}. */
    private static float[] normalised(float[] map, float hi, boolean signed) {
        float[] out = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            float mag = hi > 0 ? Math.min(1f, Math.abs(map[i]) / hi) : 0f;
            out[i] = signed && map[i] < 0 ? -mag : mag;
        }
        return out;
    }

    /**
     * A grid for one image.
     *
     * @param grey  the input as grey values in [0, 1], {@code height x width}
     * @param boxes ground-truth boxes drawn on the first tile (input coordinates), possibly none
     * @param scale integer upscaling of every tile
     */
    public static BufferedImage grid(
            String caption, float[] grey, int width, int height, List<Box> boxes, List<Tile> tiles, int scale) {
        return grid(caption, grey, width, height, boxes, tiles, scale, Colors.MAGNITUDE);
    }

    /** {@link #grid(String, float[], int, int, List, List, int)} coloured by {@code colors}. */
    public static BufferedImage grid(
            String caption,
            float[] grey,
            int width,
            int height,
            List<Box> boxes,
            List<Tile> tiles,
            int scale,
            Colors colors) {
        int[] rgb = new int[width * height];
        for (int p = 0; p < rgb.length; p++) {
            int v = Math.round(Math.max(0, Math.min(1, grey[p])) * 255);
            rgb[p] = (v << 16) | (v << 8) | v;
        }
        List<Tile> scaled =
                tiles.stream().map(t -> scaled(t.title(), t.map(), colors)).toList();
        return draw(caption, "input", rgb, width, height, boxes, scaled, scale, colors);
    }

    /**
     * A grid on the original image: {@code shown} (the image as the geometry read it, any size) drawn
     * at {@code width x height}, its ground-truth {@code boxes} in those display coordinates, and
     * tiles whose maps are already normalised ({@link #normalise(float[], Colors)}) and brought onto
     * that display grid ({@code Geometry.Transform.toSource}); NaN marks what the geometry cropped away.
     */
    public static BufferedImage onOriginal(
            String caption,
            BufferedImage shown,
            int width,
            int height,
            List<Box> boxes,
            List<Tile> tiles,
            Colors colors) {
        BufferedImage resized = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(shown, 0, 0, width, height, null);
        g.dispose();
        int[] rgb = resized.getRGB(0, 0, width, height, null, 0, width);
        return draw(caption, "original", rgb, width, height, boxes, tiles, 1, colors);
    }

    /** Height of a colour bar with its labels under a tile. */
    private static final int BAR = 22;

    /**
     * A caption, the background with its boxes, then one tile per (normalised) map, each titled with its
     * full title (wrapped over as many lines as it needs, never cut) and, under it, its colour bar: the
     * scale's colours with the map values at its ends (signed: the diverging scale from -s through 0 to s;
     * magnitude: jet from 0 to s).
     */
    private static BufferedImage draw(
            String caption,
            String first,
            int[] rgb,
            int width,
            int height,
            List<Box> boxes,
            List<Tile> tiles,
            int scale,
            Colors colors) {
        int tw = width * scale;
        int th = height * scale;
        int cols = tiles.size() + 1;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        pg.setFont(font);
        List<List<String>> titles = new ArrayList<>();
        int lines = 1;
        for (Tile t : tiles) {
            // a title may use the gap beside its tile; tiles under 60 pixels wide (tests) share that width
            List<String> wrapped = wrap(t.title(), Math.max(tw, 60), pg.getFontMetrics());
            titles.add(wrapped);
            lines = Math.max(lines, wrapped.size());
        }
        pg.dispose();
        boolean bars = tiles.stream().anyMatch(t -> Float.isFinite(t.scale()));
        int top = TITLE + lines * TITLE;
        BufferedImage out =
                new BufferedImage(cols * (tw + 4) + 4, top + th + (bars ? BAR : 0) + 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(font);
        g.drawString(caption, 4, TITLE - 2);
        drawTile(out, 4, top, rgb, null, width, height, scale, colors);
        g.setColor(Color.BLACK);
        g.drawString(first, 4, top - 3);
        for (Box box : boxes) {
            g.setColor(Color.GREEN);
            g.setStroke(new BasicStroke(2));
            g.drawRect(4 + box.x0() * scale, top + box.y0() * scale, box.width() * scale - 1, box.height() * scale - 1);
        }
        for (int t = 0; t < tiles.size(); t++) {
            int x0 = 4 + (t + 1) * (tw + 4);
            Tile tile = tiles.get(t);
            Colors c = tile.colors() != null ? tile.colors() : colors;
            drawTile(out, x0, top, rgb, tile.map(), width, height, scale, c);
            g.setColor(Color.BLACK);
            List<String> title = titles.get(t);
            for (int l = 0; l < title.size(); l++) {
                // bottom-aligned: the last line just above the tile
                g.drawString(title.get(l), x0, top - 3 - (title.size() - 1 - l) * TITLE);
            }
            if (Float.isFinite(tile.scale())) {
                drawBar(out, g, x0, top + th + 3, tw, c, tile.scale());
            }
        }
        g.dispose();
        return out;
    }

    /** The colour bar of a tile: its colours from end to end, the map values at the ends (and 0 for signed). */
    private static void drawBar(BufferedImage out, Graphics2D g, int x0, int y0, int width, Colors colors, float s) {
        boolean signed = colors == Colors.SIGNED;
        for (int x = 0; x < width; x++) {
            double v = width == 1 ? 1 : (double) x / (width - 1);
            int c = signed ? Colormap.diverging(2 * v - 1) : Colormap.jet(v);
            for (int y = 0; y < 6; y++) {
                out.setRGB(x0 + x, y0 + y, c);
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        List<String> labels = barLabels(s, colors);
        int base = y0 + 6 + 10;
        g.drawString(labels.get(0), x0, base);
        String last = labels.get(labels.size() - 1);
        g.drawString(last, x0 + width - g.getFontMetrics().stringWidth(last), base);
        if (labels.size() == 3) {
            g.drawString(labels.get(1), x0 + (width - g.getFontMetrics().stringWidth(labels.get(1))) / 2, base);
        }
    }

    /**
     * What a colour bar says at its ends (and middle): {@code 0} and {@code s} for a magnitude map, {@code
     * -s}, {@code 0} and {@code s} for a signed one, {@code s} with 3 significant digits.
     */
    public static List<String> barLabels(float s, Colors colors) {
        String v = String.format(Locale.ROOT, "%.3g", s);
        return colors == Colors.SIGNED ? List.of("-" + v, "0", v) : List.of("0", v);
    }

    /**
     * {@code title} in lines no wider than {@code width}: broken after a comma, an opening bracket or a
     * space where one fits, anywhere else when none does; nothing is cut.
     */
    static List<String> wrap(String title, int width, FontMetrics fm) {
        List<String> lines = new ArrayList<>();
        String rest = title;
        while (!rest.isEmpty() && fm.stringWidth(rest) > width) {
            int fit = 1;
            while (fit < rest.length() && fm.stringWidth(rest.substring(0, fit + 1)) <= width) {
                fit++;
            }
            int cut = fit;
            for (int k = fit; k > 0; k--) {
                char ch = rest.charAt(k - 1);
                if (ch == ',' || ch == '[' || ch == ' ' || ch == '|') {
                    cut = k;
                    break;
                }
            }
            lines.add(rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).stripLeading();
        }
        if (!rest.isEmpty() || lines.isEmpty()) {
            lines.add(rest);
        }
        return lines;
    }

    /**
     * One tile: the background {@code rgb} ({@code w x h}) with the normalised {@code heat} blended
     * over it; a NaN pixel (cropped away: the model never saw it) is the background dimmed and hatched.
     */
    private static void drawTile(
            BufferedImage out, int x0, int y0, int[] rgb, float[] heat, int w, int h, int scale, Colors colors) {
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int p = (y / scale) * w + x / scale;
                int bg = rgb[p];
                int pixel = bg;
                if (heat != null && Float.isNaN(heat[p])) {
                    pixel = (x + y) % 8 < 2 ? 0x808080 : (bg >> 2) & 0x3f3f3f;
                } else if (heat != null) {
                    boolean signed = colors == Colors.SIGNED;
                    int c = signed ? Colormap.diverging(heat[p]) : Colormap.jet(heat[p]);
                    double a = signed ? 0.8 * Math.abs(heat[p]) : 0.5; // signed: zero shows the image
                    pixel = blend(c, bg, a);
                }
                out.setRGB(x0 + x, y0 + y, pixel);
            }
        }
    }

    /** {@code a} of colour {@code c} over {@code bg}, per channel. */
    private static int blend(int c, int bg, double a) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int v = (int) Math.round(a * ((c >> shift) & 0xff) + (1 - a) * ((bg >> shift) & 0xff));
            out |= v << shift;
        }
        return out;
    }
}
