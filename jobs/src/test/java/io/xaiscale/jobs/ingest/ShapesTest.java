package io.xaiscale.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.TextNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** COCO polygons and run-length encodings become the label map at the image's size. */
public class ShapesTest {
    /** pycocotools' rleToString (maskApi.c), written out to check the decoder against its own encoding. */
    static String encode(int[] counts) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    public static int count(byte[] png, int value) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += img.getRaster().getSample(x, y, 0) == value ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void compressedCountsDecodeAsPycocotoolsEncodesThem() {
        int[] counts = {0, 5, 59, 5, 59, 5, 1000, 3, 17, 250, 2};
        assertArrayEquals(counts, Shapes.counts(new TextNode(encode(counts))));
    }

    @Test
    void polygonsAndRunLengthsPaintTheirClassIntoTheLabelMap() throws Exception {
        String shapes = "[{\"label\": 1, \"polygons\": [[10, 20, 25, 20, 25, 30, 10, 30]]},"
                + " {\"label\": 4, \"rle\": {\"counts\": [0, 5, 59, 5, 59, 5], \"size\": [64, 64]}},"
                + " {\"label\": 6, \"rle\": {\"counts\": \""
                + encode(new int[] {64 * 63, 4}).replace("\"", "\\\"")
                + "\", \"size\": [64, 64]}}]";
        byte[] png = Shapes.rasterise(shapes, 64, 64);
        assertEquals(15 * 10, count(png, 2), "pixel centres inside the rectangle (10..25) x (20..30)");
        assertEquals(3 * 5, count(png, 5), "column-major runs: columns 0..2, rows 0..4");
        assertEquals(4, count(png, 7), "the last column's first 4 rows");
    }
}
