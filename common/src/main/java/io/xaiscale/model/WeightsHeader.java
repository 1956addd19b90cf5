package io.xaiscale.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks the sizes a state-dict file declares before anything is decoded or allocated: a safetensors
 * header's length and every tensor's shape and offsets against the file's size; an npz archive's
 * arrays' shapes against their entries' sizes, and the entries' sizes against the archive's (a bounded
 * expansion). A file that lies about its sizes fails here with what it declared, never as an attempt
 * to allocate it.
 */
final class WeightsHeader {
    /** A safetensors JSON header larger than this is refused (real ones are kilobytes). */
    static final long MAX_SAFETENSORS_HEADER = 100L << 20;
    /** At most this expansion of a compressed npz entry (numpy's deflate of float weights reaches about 1.1x). */
    static final long MAX_NPZ_EXPANSION = 1000;

    private static final Map<String, Integer> SAFETENSORS_BYTES = Map.ofEntries(
            Map.entry("F64", 8),
            Map.entry("F32", 4),
            Map.entry("F16", 2),
            Map.entry("BF16", 2),
            Map.entry("I64", 8),
            Map.entry("I32", 4),
            Map.entry("I16", 2),
            Map.entry("I8", 1),
            Map.entry("U8", 1),
            Map.entry("BOOL", 1));

    private WeightsHeader() {}

    /** Checks {@code file} (by its name: .safetensors or .npz; other files are left to their reader). */
    static void check(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            safetensors(file);
        } else if (name.endsWith(".npz")) {
            npz(file);
        }
    }

    static void safetensors(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "shorter than the 8 bytes of its header length (" + size + " bytes)");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long n = len.flip().getLong();
            if (n < 2 || n > size - 8 || n > MAX_SAFETENSORS_HEADER) {
                throw bad(file, "declares a header of " + n + " bytes in a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            while (header.hasRemaining() && ch.read(header, 8 + header.position()) > 0) {
                // read the whole header
            }
            JsonNode json = new ObjectMapper().readTree(new String(header.array(), StandardCharsets.UTF_8));
            long data = size - 8 - n;
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> t = it.next();
                if (t.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode v = t.getValue();
                Integer bytes = SAFETENSORS_BYTES.get(v.path("dtype").asText());
                JsonNode offsets = v.path("data_offsets");
                if (bytes == null || !v.path("shape").isArray() || offsets.size() != 2) {
                    throw bad(file, "tensor '" + t.getKey() + "' has no valid dtype, shape and data_offsets: " + v);
                }
                long elements = elements(file, t.getKey(), v.path("shape"));
                long begin = offsets.get(0).asLong(-1);
                long end = offsets.get(1).asLong(-1);
                if (begin < 0
                        || end < begin
                        || end > data
                        || Math.multiplyHigh(elements, bytes) != 0
                        || elements * bytes != end - begin) {
                    throw bad(
                            file,
                            "tensor '" + t.getKey() + "' declares shape " + v.path("shape") + " of "
                                    + v.path("dtype").asText() + " at bytes [" + begin + ", " + end
                                    + ") of a data section of "
                                    + data + " bytes");
                }
            }
        }
    }

    private static final Pattern NPY_SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final Pattern NPY_DESCR = Pattern.compile("'descr':\\s*'[<>|=]?[a-zA-Z](\\d+)'");

    static void npz(Path file) throws IOException {
        long size = file.toFile().length();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : zip.stream().toList()) {
                if (!e.getName().endsWith(".npy")) {
                    continue;
                }
                long declared = e.getSize();
                long compressed = e.getCompressedSize();
                if (declared < 0
                        || compressed < 0
                        || compressed > size
                        || declared > compressed * MAX_NPZ_EXPANSION + (1 << 20)) {
                    throw bad(
                            file,
                            "entry '" + e.getName() + "' declares " + declared + " bytes from " + compressed
                                    + " compressed, in an archive of " + size + " bytes");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] magic = in.readNBytes(10);
                    if (magic.length < 10 || (magic[0] & 0xff) != 0x93 || magic[1] != 'N') {
                        throw bad(file, "entry '" + e.getName() + "' is not a .npy array");
                    }
                    int version = magic[6];
                    long headerLength = version == 1
                            ? (magic[8] & 0xff) | (magic[9] & 0xff) << 8
                            : ((magic[8] & 0xff)
                                    | (magic[9] & 0xff) << 8
                                    | (in.read() & 0xff) << 16
                                    | (in.read() & 0xff) << 24);
                    long prefix = version == 1 ? 10 : 12;
                    if (headerLength < 0 || headerLength > Math.min(declared, 1 << 20)) {
                        throw bad(file, "entry '" + e.getName() + "' declares a header of " + headerLength + " bytes");
                    }
                    String header = new String(in.readNBytes((int) headerLength), StandardCharsets.ISO_8859_1);
                    Matcher shape = NPY_SHAPE.matcher(header);
                    Matcher descr = NPY_DESCR.matcher(header);
                    if (!shape.find() || !descr.find()) {
                        throw bad(
                                file,
                                "entry '" + e.getName() + "' has no shape and dtype in its header: " + header.strip());
                    }
                    long elements = 1;
                    for (String d : shape.group(1).split(",")) {
                        if (d.isBlank()) {
                            continue;
                        }
                        long dim = Long.parseLong(d.strip().replace("L", ""));
                        if (dim < 0 || (dim > 0 && elements > Long.MAX_VALUE / dim)) {
                            throw bad(file, "entry '" + e.getName() + "' declares shape (" + shape.group(1) + ")");
                        }
                        elements *= dim;
                    }
                    long item = Long.parseLong(descr.group(1));
                    if (Math.multiplyHigh(elements, item) != 0 || elements * item != declared - prefix - headerLength) {
                        throw bad(
                                file,
                                "entry '" + e.getName() + "' declares shape (" + shape.group(1) + ") of " + item
                                        + "-byte values, but holds " + (declared - prefix - headerLength)
                                        + " bytes of data");
                    }
                }
            }
        }
    }

    private static long elements(Path file, String tensor, JsonNode shape) throws IOException {
        long elements = 1;
        for (JsonNode d : shape) {
            long dim = d.asLong(-1);
            if (!d.canConvertToLong() || dim < 0 || (dim > 0 && elements > Long.MAX_VALUE / dim)) {
                throw bad(file, "tensor '" + tensor + "' declares shape " + shape);
            }
            elements *= dim;
        }
        return elements;
    }

    private static IOException bad(Path file, String what) {
        return new IOException("Invalid state_dict " + file + ": " + what + " (not decoded)");
    }
}
