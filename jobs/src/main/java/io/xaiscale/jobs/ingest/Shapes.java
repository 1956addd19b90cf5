package io.xaiscale.jobs.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.image.ImageCodec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * COCO segmentations rasterised into the project's label map (class k + 1, 0 background) at the
 * image's size, on the executor that reads the image: polygons filled by Java2D (a pixel is in when
 * its centre is, so edges can differ from pycocotools' by a pixel), run-length encodings (COCO's
 * column-major counts, plain or compressed) decoded exactly. Later shapes paint over earlier ones.
 */
final class Shapes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Shapes() {}

    /** {@code shapes}: {@code [{"label": k, "polygons": [[x, y, ...], ...]} | {"label": k, "rle": {...}}]}. */
    static byte[] rasterise(String shapes, int width, int height) {
        JsonNode all;
        try {
            all = JSON.readTree(shapes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] labels = new byte[width * height];
        for (JsonNode s : all) {
            int value = s.get("label").asInt() + 1;
            if (s.has("polygons")) {
                // a 1-bit mask per shape (drawing grey levels directly would go through a colour space)
                BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY);
                Graphics2D g = mask.createGraphics();
                g.setColor(Color.WHITE);
                for (JsonNode poly : s.get("polygons")) {
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
                    g.fill(p);
                }
                g.dispose();
                java.awt.image.Raster r = mask.getRaster();
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        if (r.getSample(x, y, 0) != 0) {
                            labels[y * width + x] = (byte) value;
                        }
                    }
                }
            } else if (s.has("rle")) {
                int[] counts = counts(s.get("rle").get("counts"));
                int at = 0;
                boolean on = false;
                for (int c : counts) {
                    for (int k = 0; k < c && at < width * height; k++, at++) {
                        if (on) {
                            int x = at / height; // column-major
                            int y = at % height;
                            labels[y * width + x] = (byte) value;
                        }
                    }
                    on = !on;
                }
            }
        }
        return ImageCodec.greyPng(labels, width, height);
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
        return java.util.Arrays.copyOf(out, m);
    }
}
