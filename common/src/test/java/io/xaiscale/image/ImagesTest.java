package io.xaiscale.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImagesTest {
    static FashionMnist.Split test;

    @BeforeAll
    static void read() throws IOException {
        test = FashionMnist.read(FashionMnist.DEFAULT_DIR, "test");
    }

    @Test
    void readsTheRealFashionMnistTestSplit() {
        assertEquals(10000, test.size());
        assertEquals(784, test.images()[0].length);
        int[] counts = new int[10];
        for (int l : test.labels()) {
            counts[l]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, counts);
    }

    @Test
    void benchmarkIsSeededAndTheBoxHoldsExactlyTheObject() {
        LocalizationBenchmark a = new LocalizationBenchmark(test, 64, 5);
        LocalizationBenchmark b = new LocalizationBenchmark(test, 64, 5);
        LocalizationBenchmark c = new LocalizationBenchmark(test, 64, 6);
        for (int i = 0; i < 20; i++) {
            LocalizationBenchmark.Sample s = a.sample(i);
            assertArrayEquals(s.pixels(), b.sample(i).pixels());
            assertEquals(s.box(), b.sample(i).box());
            assertEquals(test.labels()[i], s.label());
            // every non-zero pixel of the item lies in the box, and the box is tight
            Box box = s.box();
            assertTrue(box.x1() <= 64 && box.y1() <= 64);
            byte[] item = test.images()[s.sourceIndex()];
            int nonZero = 0;
            for (byte v : item) {
                nonZero += (v & 0xff) > 0 ? 1 : 0;
            }
            assertTrue(nonZero > 0);
            assertTrue(box.area() <= 28 * 28);
        }
        assertNotEquals(
                Arrays.toString(a.sample(0).pixels()),
                Arrays.toString(c.sample(0).pixels()));
    }

    @Test
    void pngRoundTripAndTensorConversion() throws DecodeException {
        LocalizationBenchmark.Sample s = new LocalizationBenchmark(test, 64, 1).sample(3);
        byte[] png = ImageCodec.greyPng(s.pixels(), 64, 64);
        ImageCodec.Info info = ImageCodec.info(png);
        assertEquals(new ImageCodec.Info("png", 64, 64, 1, 1), info);
        float[] t = ImageCodec.toTensor(png, 1, 64, 64);
        for (int i = 0; i < t.length; i++) {
            assertEquals((s.pixels()[i] & 0xff) / 255f, t[i], 1e-6f);
        }
        // grey to 3 channels replicates, and resizing gives the requested size
        float[] rgb = ImageCodec.toTensor(png, 3, 32, 32);
        assertEquals(3 * 32 * 32, rgb.length);
        assertEquals(rgb[5], rgb[1024 + 5], 1e-6f);
    }

    @Test
    void aHeaderClaimingTooManyPixelsIsRefusedBeforeDecodingAndLargeImagesAreSubsampled() throws Exception {
        byte[] png = ImageCodec.greyPng(new byte[4], 2, 2);
        ByteBuffer.wrap(png, 16, 8).putInt(30000).putInt(30000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        DecodeException e = assertThrows(DecodeException.class, () -> ImageCodec.info(png));
        assertEquals(
                "png image of 30000x30000 = 900000000 pixels is above the limit of 100000000 pixels"
                        + " (raise it with --max-pixels)",
                e.getMessage());
        assertEquals(1, ImageCodec.subsampling(4000, 4000, 224, 224), "16 megapixels: decoded whole");
        assertEquals(8, ImageCodec.subsampling(5000, 4000, 224, 224), "above: every 8th pixel, 625x500 still >= 448");
        assertEquals(2, ImageCodec.subsampling(20000, 1000, 224, 224), "the shorter ratio decides: 1000 / 448");
    }

    @Test
    void corruptBytesFailWithAClearMessage() {
        byte[] png = ImageCodec.greyPng(new byte[64 * 64], 64, 64);
        byte[] truncated = Arrays.copyOf(png, 20);
        DecodeException e = assertThrows(DecodeException.class, () -> ImageCodec.toTensor(truncated, 1, 64, 64));
        // the format, the size and the cause of the cause: never a message that ends in ": "
        assertEquals("undecodable png image (20 bytes): I/O error reading PNG header!: EOFException", e.getMessage());
        assertEquals(
                "empty file (0 bytes)",
                assertThrows(DecodeException.class, () -> ImageCodec.info(new byte[0]))
                        .getMessage());
        assertTrue(assertThrows(DecodeException.class, () -> ImageCodec.info("hello".getBytes()))
                .getMessage()
                .contains("not a supported format"));
    }

    @Test
    void directPngReadingGivesImageIosValuesForEveryFilterAndColourType() throws DecodeException {
        Random rnd = new Random(7);
        for (int colour : new int[] {0, 2, 6}) {
            int bpp = colour == 0 ? 1 : colour == 2 ? 3 : 4;
            for (boolean smooth : new boolean[] {true, false}) {
                byte[] samples = new byte[23 * 17 * bpp];
                for (int i = 0; i < samples.length; i++) {
                    samples[i] = (byte) (smooth ? (i * 7 / bpp + i % bpp * 40) : rnd.nextInt(256));
                }
                // rows filtered with types 0..4 in turn, the stream split over several IDAT chunks
                byte[] png = png(23, 17, colour, samples, 50, false);
                assertNotNull(PngPixels.read(png, 23, 17), "colour type " + colour);
                for (int channels : new int[] {1, 3}) {
                    assertArrayEquals(
                            ImageCodec.toTensor(ImageCodec.decode(png), channels, 17, 23),
                            ImageCodec.toTensor(png, channels, 17, 23),
                            "colour type " + colour + ", " + channels + " channel(s)");
                }
            }
        }
        // Paeth's tie between up and up-left (a = 1, b = 4, c = 2) picks up
        byte[] tie = png(2, 2, 0, new byte[] {2, 4, 1, 9}, 50, false, 4);
        assertArrayEquals(new byte[] {2, 4, 1, 9}, PngPixels.read(tie, 2, 2).samples());
        // ancillary chunks ImageIO leaves out of the pixels: gamma, chromaticities, sRGB intent, significant bits, text
        byte[] rgb = new byte[9 * 7 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 13);
        }
        byte[] tagged =
                png(9, 7, 2, rgb, 1000, false, new String[] {"gAMA", "cHRM", "sRGB", "sBIT", "tEXt"}, new byte[][] {
                    {0, 0, (byte) 0xb1, (byte) 0x8f},
                    new byte[32],
                    {0},
                    {5, 6, 5},
                    "Comment\0x".getBytes(StandardCharsets.US_ASCII)
                });
        assertNotNull(PngPixels.read(tagged, 9, 7));
        for (int channels : new int[] {1, 3}) {
            assertArrayEquals(
                    ImageCodec.toTensor(ImageCodec.decode(tagged), channels, 7, 9),
                    ImageCodec.toTensor(tagged, channels, 7, 9));
        }
        // what ImageIO itself writes
        for (int type :
                new int[] {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB}) {
            BufferedImage img = new BufferedImage(31, 29, type);
            for (int y = 0; y < 29; y++) {
                for (int x = 0; x < 31; x++) {
                    img.setRGB(
                            x,
                            y,
                            rnd.nextInt(4) == 0
                                    ? rnd.nextInt()
                                    : (x * 8) << 16 | (y * 8) << 8 | (x + y) * 4 | 0x80000000);
                }
            }
            byte[] png = ImageCodec.png(img);
            assertNotNull(PngPixels.read(png, 31, 29), "image type " + type);
            for (int channels : new int[] {1, 3}) {
                assertArrayEquals(
                        ImageCodec.toTensor(ImageCodec.decode(png), channels, 29, 31),
                        ImageCodec.toTensor(png, channels, 29, 31));
            }
        }
    }

    @Test
    void pngsTheDirectReaderDoesNotTakeGoToImageIo() throws DecodeException {
        byte[] grey = new byte[12 * 10];
        Arrays.fill(grey, (byte) 100);
        byte[] keyed = png(12, 10, 0, grey, 1000, true);
        assertNull(PngPixels.read(keyed, 12, 10), "a transparency key makes ImageIO add alpha");
        assertNull(PngPixels.read(png(12, 10, 0, grey, 1000, false), 10, 12), "another size is resized by ImageIO");
        for (int type : new int[] {
            BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_BYTE_BINARY
        }) {
            byte[] png = ImageCodec.png(new BufferedImage(12, 10, type));
            assertNull(PngPixels.read(png, 12, 10), "image type " + type);
            assertEquals(12 * 10, ImageCodec.toTensor(png, 1, 10, 12).length);
        }
        byte[] good = png(12, 10, 0, grey, 1000, false);
        byte[] cut = Arrays.copyOf(good, good.length - 20);
        assertNull(PngPixels.read(cut, 12, 10));
        byte[] unknownFilter = png(12, 10, 0, grey, 1000, false, 5);
        assertNull(PngPixels.read(unknownFilter, 12, 10));
    }

    /** A PNG written by hand: row {@code y} filtered with type {@code y % 5} (or {@code filter}), IDAT chunks of {@code chunk} bytes. */
    static byte[] png(
            int width, int height, int colour, byte[] samples, int chunk, boolean transparencyKey, int... filter) {
        return png(width, height, colour, samples, chunk, transparencyKey, new String[0], new byte[0][], filter);
    }

    /** The same with ancillary chunks {@code types} (contents {@code data}) before the image data. */
    static byte[] png(
            int width,
            int height,
            int colour,
            byte[] samples,
            int chunk,
            boolean transparencyKey,
            String[] types,
            byte[][] data,
            int... filter) {
        int bpp = samples.length / (width * height);
        int stride = width * bpp;
        byte[] raw = new byte[height * (stride + 1)];
        for (int y = 0; y < height; y++) {
            int f = filter.length > 0 ? filter[0] : y % 5;
            raw[y * (stride + 1)] = (byte) f;
            for (int i = 0; i < stride; i++) {
                int v = samples[y * stride + i] & 0xff;
                int a = i >= bpp ? samples[y * stride + i - bpp] & 0xff : 0;
                int b = y > 0 ? samples[(y - 1) * stride + i] & 0xff : 0;
                int c = i >= bpp && y > 0 ? samples[(y - 1) * stride + i - bpp] & 0xff : 0;
                int p = a + b - c;
                int predictor = switch (f) {
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 ->
                        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
                                ? a
                                : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
                    default -> 0;
                };
                raw[y * (stride + 1) + 1 + i] = (byte) (v - predictor);
            }
        }
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[256];
        while (!deflater.finished()) {
            z.write(buf, 0, deflater.deflate(buf));
        }
        byte[] image = z.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", new byte[] {0, 0, 0, (byte) width, 0, 0, 0, (byte) height, 8, (byte) colour, 0, 0, 0});
        if (transparencyKey) {
            chunk(out, "tRNS", new byte[] {0, 100});
        }
        for (int i = 0; i < types.length; i++) {
            chunk(out, types[i], data[i]);
        }
        for (int at = 0; at < image.length; at += chunk) {
            chunk(out, "IDAT", Arrays.copyOfRange(image, at, Math.min(image.length, at + chunk)));
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(new byte[] {
            (byte) (data.length >>> 24), (byte) (data.length >>> 16), (byte) (data.length >>> 8), (byte) data.length
        });
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        long v = crc.getValue();
        out.writeBytes(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }
}
