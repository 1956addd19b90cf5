package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.util.MapCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented Python decoder of stored maps ({@code docs/examples/xai_maps.py}, NumPy only) gives the
 * same floats as the Java readers, for every precision, at input and at native resolution.
 */
class PythonMapsTest {
    @TempDir
    Path tmp;

    /** One stored map: its columns as the explanations table holds them. */
    record Stored(byte[] bytes, String dtype, int h, int w, int inputH, int inputW) {}

    @Test
    void thePythonExampleDecodesEveryStoredFormIntoTheJavaReadersFloats() throws Exception {
        Random rnd = new Random(7);
        List<Stored> maps = new ArrayList<>();
        int[][] sizes = {{64, 64, 64, 64}, {8, 8, 64, 64}, {7, 5, 64, 48}, {1, 1, 4, 4}};
        for (String dtype : MapCodec.Precision.SPECS) {
            for (int[] s : sizes) {
                float[] v = new float[s[0] * s[1]];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
                }
                maps.add(new Stored(
                        MapCodec.encode(v, 0, v.length, MapCodec.Precision.of(dtype)), dtype, s[0], s[1], s[2], s[3]));
            }
        }
        StringBuilder jsonl = new StringBuilder();
        for (Stored m : maps) {
            jsonl.append(String.format(
                    "{\"map\": \"%s\", \"map_dtype\": \"%s\", \"map_height\": %d, \"map_width\": %d,"
                            + " \"input_height\": %d, \"input_width\": %d}%n",
                    Base64.getEncoder().encodeToString(m.bytes()), m.dtype(), m.h(), m.w(), m.inputH(), m.inputW()));
        }
        Path rows = Files.writeString(tmp.resolve("rows.jsonl"), jsonl);
        Path out = tmp.resolve("maps.f32");
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        Fixture.ROOT.resolve("docs/examples/xai_maps.py").toString(),
                        rows.toString(),
                        out.toString())
                .redirectErrorStream(true)
                .start();
        String said = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), said);
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        for (Stored m : maps) {
            float[] java = Maps.decode(m.bytes(), m.dtype(), m.h(), m.w(), m.inputH(), m.inputW());
            float[] python = new float[m.inputH() * m.inputW()];
            all.asFloatBuffer().get(python);
            all.position(all.position() + python.length * 4);
            assertArrayEquals(
                    java, python, 0f, m.dtype() + " " + m.h() + "x" + m.w() + " -> " + m.inputH() + "x" + m.inputW());
        }
        assertEquals(0, all.remaining(), "one map each, nothing more");
    }
}
