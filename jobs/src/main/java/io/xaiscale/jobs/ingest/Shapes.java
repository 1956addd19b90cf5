package io.xaiscale.jobs.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.image.DecodeException;
import io.xaiscale.image.ImageCodec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Arrays;

/**
 * COCO segmentations rasterised into the project's label map (class k + 1, 0 background) at the
 * image's size, on the executor that reads the image: polygons filled by Java2D (a pixel is in when
 * its centre is, so edges can differ from pycocotools' by a pixel), run-length encodings (COCO's
 * column-major counts, plain or compressed) decoded exactly. Later shapes paint over earlier ones.
 */
final class Shapes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Shapes() {}

    /** At most this many shapes per image (COCO images have tens; a crowd annotation one RLE). */
    static final int MAX_SHAPES = 10_000;
    /** At most this many coordinates per polygon. */
    static final int MAX_COORDINATES = 200_000;
    /** The largest class index the 8-bit label map holds (k + 1 <= 254; 255 is void). */
    static final int MAX_CLASS = 253;

    /**
     * {@code shapes}: {@code [{"label": k, "polygons": [[x, y, ...], ...]} | {"label": k, "rle": {...}}]}.
     * Fails with {@link DecodeException} naming the shape when one cannot be rasterised faithfully: a
     * class beyond the label map's range, a run-length encoding whose counts do not cover the image
     * exactly or whose size is not the image's, a malformed compressed string, too many shapes or
     * coordinates. Each polygon is scanned within its bounding box (clipped to the image).
     */
    static byte[] rasterise(String shapes, int width, int height) throws DecodeException {
        JsonNode all;
        try {
            all = JSON.readTree(shapes);
        } catch (IOException e) {
            throw new DecodeException("annotation: shapes do not parse: " + e.getMessage());
        }
        if (all.size() > MAX_SHAPES) {
            throw new DecodeException("annotation: " + all.size() + " shapes (at most " + MAX_SHAPES + " per image)");
        }
        byte[] labels = new byte[width * height];
        int n = 0;
        for (JsonNode s : all) {
            int label = s.path("label").asInt(-1);
            if (label < 0 || label > MAX_CLASS) {
                throw new DecodeException("annotation: shape " + n + " has class " + s.path("label")
                        + ", beyond the label map's range 0.." + MAX_CLASS);
            }
            byte value = (byte) (label + 1);
            if (s.has("polygons")) {
                for (JsonNode poly : s.get("polygons")) {
                    if (poly.size() > MAX_COORDINATES) {
                        throw new DecodeException("annotation: shape " + n + " has a polygon of " + poly.size()
                                + " coordinates (at most " + MAX_COORDINATES + ")");
                    }
                    fill(polygon(poly), value, labels, width, height);
                }
            } else if (s.has("rle")) {
                rle(s.get("rle"), value, labels, width, height, n);
            }
            n++;
        }
        return ImageCodec.greyPng(labels, width, height);
    }

    private static Path2D.Double polygon(JsonNode poly) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i + 1 < poly.size(); i += 2) {
            double x = poly.get(i).asDouble();
            double y = poly.get(i + 1).asDouble();
            if (i == 0) {
                p.moveTo(x, y);
            } else {
                p.lineTo(x, y);
            }
        }
        p.closePath();
        return p;
    }

    /** Paints {@code p} (a pixel is in when its centre is) within its bounding box clipped to the image. */
    private static void fill(Path2D.Double p, byte value, byte[] labels, int width, int height) {
        Rectangle box = p.getBounds().intersection(new Rectangle(0, 0, width, height));
        if (box.isEmpty()) {
            return;
        }
        // a 1-bit mask (drawing grey levels directly would go through a colour space)
        BufferedImage mask = new BufferedImage(box.width, box.height, BufferedImage.TYPE_BYTE_BINARY);
        Graphics2D g = mask.createGraphics();
        g.setColor(Color.WHITE);
        g.translate(-box.x, -box.y);
        g.fill(p);
        g.dispose();
        Raster r = mask.getRaster();
        for (int y = 0; y < box.height; y++) {
            for (int x = 0; x < box.width; x++) {
                if (r.getSample(x, y, 0) != 0) {
                    labels[(box.y + y) * width + box.x + x] = value;
                }
            }
        }
    }

    /** Paints a COCO run-length encoding (column-major) after checking it covers exactly this image. */
    private static void rle(JsonNode rle, byte value, byte[] labels, int width, int height, int n)
            throws DecodeException {
        JsonNode size = rle.path("size");
        if (size.size() == 2 && (size.get(0).asInt() != height || size.get(1).asInt() != width)) {
            throw new DecodeException("annotation: shape " + n + " is a run-length encoding of size " + size
                    + " (height, width) on a " + width + "x" + height + " image");
        }
        int[] counts;
        try {
            counts = counts(rle.path("counts"));
        } catch (RuntimeException e) {
            throw new DecodeException("annotation: shape " + n + " has malformed run-length counts ("
                    + e.getClass().getSimpleName() + ")");
        }
        long total = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new DecodeException("annotation: shape " + n + " has a negative run length " + c);
            }
            total += c;
        }
        if (total != (long) width * height) {
            throw new DecodeException("annotation: shape " + n + " has run lengths summing to " + total
                    + ", not the image's " + width + "x" + height + " = " + (long) width * height + " pixels");
        }
        int at = 0;
        boolean on = false;
        for (int c : counts) {
            if (on) {
                for (int k = 0; k < c; k++, at++) {
                    labels[(at % height) * width + at / height] = value; // column-major
                }
            } else {
                at += c;
            }
            on = !on;
        }
    }

    /** The run lengths of a COCO RLE: a list of counts, or pycocotools' compressed string. */
    static int[] counts(JsonNode counts) {
        if (counts.isArray()) {
            int[] out = new int[counts.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = counts.get(i).asInt();
            }
            return out;
        }
        String s = counts.asText();
        int[] out = new int[s.length()];
        int m = 0;
        for (int p = 0; p < s.length(); ) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                int c = s.charAt(p++) - 48;
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (m > 2) {
                x += out[m - 2];
            }
            out[m++] = (int) x;
        }
        return Arrays.copyOf(out, m);
    }
}
