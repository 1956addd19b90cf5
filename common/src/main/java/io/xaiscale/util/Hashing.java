package io.xaiscale.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content hashes used for stable ids. */
public final class Hashing {
    private Hashing() {}

    public static String sha256Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of everything {@code in} still holds, read in blocks (any size, constant memory); closes nothing. */
    public static String sha256Hex(InputStream in) throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[1 << 16];
            for (int n = in.read(block); n >= 0; n = in.read(block)) {
                d.update(block, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(String s) {
        return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
    }

    /** 64-bit seed derived from the bits of a sample, so per-sample randomness does not depend on batch position. */
    public static long seedOf(long seed, float[] values) {
        long h = seed ^ 0x9E3779B97F4A7C15L;
        for (float v : values) {
            h = (h ^ Float.floatToIntBits(v)) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        return h;
    }
}
