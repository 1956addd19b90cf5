package io.xaiscale.util;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes NumPy {@code .npz} archives (a zip of {@code .npy} files, format 1.0), readable by
 * {@code numpy.load}: little-endian float32 arrays and fixed-width byte-string arrays.
 */
public final class Npz {
    private Npz() {}

    /** A float32 array of the given shape (row-major). */
    public record Floats(float[] data, long... shape) {}

    /** A 1-D array of ASCII strings, stored as {@code |S<width>} with the longest string's width. */
    public record Strings(String... data) {}

    public static void write(Path file, Map<String, Object> arrays) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, Object> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(npy(e.getValue()));
                zip.closeEntry();
            }
        }
    }

    static byte[] npy(Object array) {
        String descr;
        String shape;
        byte[] body;
        if (array instanceof Floats f) {
            descr = "<f4";
            StringBuilder s = new StringBuilder("(");
            for (long d : f.shape()) {
                s.append(d).append(", ");
            }
            shape = f.shape().length == 1
                    ? s.toString().replaceAll(", $", ",)")
                    : s.toString().replaceAll(", $", ")");
            ByteBuffer b = ByteBuffer.allocate(f.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(f.data());
            body = b.array();
        } else if (array instanceof Strings s) {
            int width = 1;
            for (String v : s.data()) {
                width = Math.max(width, v.length());
            }
            descr = "|S" + width;
            shape = "(" + s.data().length + ",)";
            body = new byte[s.data().length * width];
            for (int i = 0; i < s.data().length; i++) {
                byte[] v = s.data()[i].getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(v, 0, body, i * width, v.length);
            }
        } else {
            throw new IllegalArgumentException(
                    "Unsupported array type for npz: " + array.getClass().getSimpleName());
        }
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        int len = header.length();
        out.write(len & 0xFF);
        out.write((len >> 8) & 0xFF);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }
}
