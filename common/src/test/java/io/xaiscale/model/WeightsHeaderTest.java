package io.xaiscale.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State-dict files whose headers lie about their sizes fail before anything is allocated, naming what
 * they declared; honest ones pass; and a card's weights stay inside its directory.
 */
class WeightsHeaderTest {
    @TempDir
    Path tmp;

    static byte[] safetensors(String header, int dataBytes, long declaredHeaderLength) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(h);
        return b.array();
    }

    static byte[] safetensors(String header, int dataBytes) {
        return safetensors(header, dataBytes, header.getBytes(StandardCharsets.UTF_8).length);
    }

    Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    String refused(Path file) {
        return assertThrows(IOException.class, () -> WeightsHeader.check(file)).getMessage();
    }

    @Test
    void safetensorsSizesAreCheckedAgainstTheFile() throws IOException {
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"__metadata__\":{}}";
        assertDoesNotThrow(() -> WeightsHeader.check(write("ok.safetensors", safetensors(ok, 24))));
        String huge = "{\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,24]}}";
        String m = refused(write("huge.safetensors", safetensors(huge, 24)));
        assertTrue(m.contains("tensor 'w' declares shape [100000,100000] of F32 at bytes [0, 24)"), m);
        String past = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
        m = refused(write("short.safetensors", safetensors(past, 8)));
        assertTrue(m.contains("of a data section of 8 bytes"), m);
        m = refused(write("header.safetensors", safetensors(ok, 24, 1L << 40)));
        assertTrue(m.contains("declares a header of 1099511627776 bytes in a file of"), m);
        m = refused(write(
                "overflow.safetensors",
                safetensors(
                        "{\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,24]}}", 24)));
        assertTrue(m.contains("declares shape"), m);
        m = refused(write("tiny.safetensors", new byte[3]));
        assertTrue(m.contains("shorter than the 8 bytes"), m);
    }

    static byte[] npy(String shape, int dataBytes) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
        StringBuilder h = new StringBuilder(dict);
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.ISO_8859_1));
        out.write(1);
        out.write(0);
        out.write(h.length() & 0xff);
        out.write(h.length() >> 8);
        out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(new byte[dataBytes]);
        return out.toByteArray();
    }

    Path npz(String name, byte[] entry) throws IOException {
        Path f = tmp.resolve(name);
        try (OutputStream o = Files.newOutputStream(f);
                ZipOutputStream z = new ZipOutputStream(o)) {
            z.putNextEntry(new ZipEntry("w.npy"));
            z.write(entry);
            z.closeEntry();
        }
        return f;
    }

    @Test
    void npzShapesAreCheckedAgainstTheirEntries() throws IOException {
        assertDoesNotThrow(() -> WeightsHeader.check(npz("ok.npz", npy("2, 3", 24))));
        assertDoesNotThrow(() -> WeightsHeader.check(npz("scalar.npz", npy("", 4))));
        String m = refused(npz("lying.npz", npy("100000, 100000", 24)));
        assertTrue(
                m.contains(
                        "entry 'w.npy' declares shape (100000, 100000) of 4-byte values, but holds 24 bytes of data"),
                m);
        m = refused(npz("negative.npz", npy("-1, 3", 24)));
        assertTrue(m.contains("declares shape (-1, 3)"), m);
    }

    @Test
    void aCardsWeightsStayInsideItsDirectory() {
        for (String ok : new String[] {"w.npz", "sub/w.npz", "./w.npz", "a/../w.npz"}) {
            assertTrue(ModelCard.insideItsDirectory(ok), ok);
        }
        for (String bad : new String[] {"/etc/passwd", "../other/w.npz", "a/../../w.npz", "..", "", ".", "a\\..\\w"}) {
            assertEquals(false, ModelCard.insideItsDirectory(bad), bad);
        }
    }
}
