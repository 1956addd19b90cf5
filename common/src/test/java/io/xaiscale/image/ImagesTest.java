package io.xaiscale.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
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
        assertNotEquals(Arrays.toString(a.sample(0).pixels()), Arrays.toString(c.sample(0).pixels()));
    }

    @Test
    void pngRoundTripAndTensorConversion() throws DecodeException {
        LocalizationBenchmark.Sample s = new LocalizationBenchmark(test, 64, 1).sample(3);
        byte[] png = ImageCodec.greyPng(s.pixels(), 64, 64);
        ImageCodec.Info info = ImageCodec.info(png);
        assertEquals(new ImageCodec.Info("png", 64, 64, 1), info);
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
    void corruptBytesFailWithAClearMessage() {
        byte[] png = ImageCodec.greyPng(new byte[64 * 64], 64, 64);
        byte[] truncated = Arrays.copyOf(png, 20);
        DecodeException e = assertThrows(DecodeException.class, () -> ImageCodec.toTensor(truncated, 1, 64, 64));
        assertTrue(e.getMessage().startsWith("undecodable image (20 bytes)"), e.getMessage());
        assertEquals("empty image content", assertThrows(DecodeException.class, () -> ImageCodec.info(new byte[0])).getMessage());
        assertTrue(assertThrows(DecodeException.class, () -> ImageCodec.info("hello".getBytes()))
                .getMessage().contains("not a supported format"));
    }
}
