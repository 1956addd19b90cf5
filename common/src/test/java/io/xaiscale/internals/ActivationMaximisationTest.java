package io.xaiscale.internals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ActivationMaximisationTest {
    static Classifier shipped;

    @BeforeAll
    static void load() throws Exception {
        shipped = Classifier.load(TestModels.shipped());
    }

    @AfterAll
    static void close() {
        shipped.close();
    }

    /**
     * Unit (y, x) of a linear filter w with the penalty l2 * |x - 0.5|^2 has its optimum at
     * 0.5 + w / (2 l2) on its receptive field and mid-grey elsewhere (inside [0, 1] for these values):
     * the ascent reaches it.
     */
    @Test
    void theOptimumOfALinearFilterUnitIsTheFilterInClosedForm() {
        int k = 3;
        float[] w = new float[k * k];
        Random r = new Random(11);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() * 2 - 1);
        }
        double l2 = 1.5;
        try (Classifier model = TestModels.filterNet(w, k, 8, 8)) {
            ActivationMaximisation am = ActivationMaximisation.fromString(
                    "activation_max[steps=400,lr=0.02,jitter=0,blur_every=0,l2=" + l2 + "]");
            ActivationMaximisation.Result out = am.run(model, "conv", new int[] {0}, 2, 3, null);
            float[] expected = new float[64];
            Arrays.fill(expected, 0.5f);
            for (int dy = 0; dy < k; dy++) {
                for (int dx = 0; dx < k; dx++) {
                    expected[(2 + dy) * 8 + 3 + dx] = (float) (0.5 + w[dy * k + dx] / (2 * l2));
                }
            }
            assertArrayEquals(expected, out.images(), 0.02f);
            double dot = 0;
            for (int i = 0; i < w.length; i++) {
                dot += w[i] * expected[(2 + i / k) * 8 + 3 + i % k];
            }
            assertEquals(dot, out.activations()[0], 0.05, "the final activation is the filter on its optimum");
        }
    }

    /** On the shipped CNN: the unit's activation rises over the ascent and ends far above what real images give it. */
    @Test
    void aChannelEndsFarAboveItsActivationOnRealImages() throws Exception {
        int channel = 5;
        ActivationMaximisation am = ActivationMaximisation.fromString("activation_max[steps=48]");
        ActivationMaximisation.Result out = am.run(shipped, "relu3", new int[] {channel}, -1, -1, null);
        float[] trace = out.trace()[0];
        double first = Arrays.stream(new double[] {trace[0], trace[1], trace[2], trace[3]})
                .average()
                .orElseThrow();
        double last = (trace[44] + trace[45] + trace[46] + trace[47]) / 4.0;
        assertTrue(last > first, "rises: first steps " + first + ", last steps " + last);
        // the channel's mean activation over the shipped sample images
        Path dir = TestModels.locate("data/sample");
        float[] images = new float[16 * 64 * 64];
        try (var files = Files.list(dir)) {
            var pngs = files.filter(f -> f.toString().endsWith(".png"))
                    .sorted()
                    .limit(16)
                    .toList();
            for (int i = 0; i < pngs.size(); i++) {
                ImageCodec.toTensor(Files.readAllBytes(pngs.get(i)), 1, 64, 64, images, i * 64 * 64);
            }
        }
        double mean = 0;
        double sq = 0;
        try (NDManager m = NDManager.newBaseManager();
                GradMode off = GradMode.off()) {
            float[] acts = shipped.activations(m.create(images, new Shape(16, 1, 64, 64)), "relu3")
                    .get(":, " + channel)
                    .mean(new int[] {2})
                    .mean(new int[] {1})
                    .toFloatArray();
            for (float a : acts) {
                mean += a / acts.length;
                sq += a * a / acts.length;
            }
        }
        double sd = Math.sqrt(Math.max(0, sq - mean * mean));
        assertTrue(
                out.activations()[0] > mean + 3 * sd,
                "final " + out.activations()[0] + " against real images' " + mean + " +- " + sd);
    }

    @Test
    void theSameSeedGivesTheSameImageAndEveryRegulariserChangesIt() {
        int[] units = {3, 7};
        float[] base = run("", units);
        assertArrayEquals(base, run("", units), 0f, "deterministic for a seed");
        assertFalse(Arrays.equals(base, run(",seed=1", units)), "another seed");
        assertFalse(Arrays.equals(base, run(",blur_every=0", units)), "no blur");
        assertFalse(Arrays.equals(base, run(",blur_sigma=1.0", units)), "wider blur");
        assertFalse(Arrays.equals(base, run(",octaves=2", units)), "two octaves");
        assertFalse(Arrays.equals(base, run(",tv=0.5", units)), "total variation");
        // batch-first: a unit's image does not depend on the other units of its batch
        float[] alone = run("", new int[] {7});
        assertArrayEquals(alone, Arrays.copyOfRange(base, 64 * 64, 2 * 64 * 64), 1e-4f, "batch = one by one");
    }

    private static float[] run(String extra, int[] units) {
        return ActivationMaximisation.fromString("activation_max[steps=6" + extra + "]")
                .run(shipped, "relu2", units, -1, -1, null)
                .images();
    }

    @Test
    void anUnknownLayerOrUnitFailsNamingTheValidOnes() {
        ActivationMaximisation am = ActivationMaximisation.fromString("activation_max[steps=1]");
        IllegalArgumentException layer = assertThrows(
                IllegalArgumentException.class, () -> am.run(shipped, "relu9", new int[] {0}, -1, -1, null));
        assertEquals(
                "Unknown layer for activation_max: relu9 (valid for fmnist-loc-cnn@1: logits, "
                        + String.join(", ", shipped.featureLayers()) + ")",
                layer.getMessage());
        IllegalArgumentException unit = assertThrows(
                IllegalArgumentException.class, () -> am.run(shipped, "relu3", new int[] {64}, -1, -1, null));
        assertEquals("Invalid unit of layer relu3 of fmnist-loc-cnn@1: 64 (valid: 0..63)", unit.getMessage());
        IllegalArgumentException cls = assertThrows(
                IllegalArgumentException.class, () -> am.run(shipped, "logits", new int[] {10}, -1, -1, null));
        assertEquals("Invalid unit of layer logits of fmnist-loc-cnn@1: 10 (valid: 0..9)", cls.getMessage());
        IllegalArgumentException spec = assertThrows(
                IllegalArgumentException.class, () -> ActivationMaximisation.fromString("activation_max[init=photo]"));
        assertTrue(
                spec.getMessage().contains("photo") && spec.getMessage().contains("noise, image"), spec.getMessage());
    }

    /** A class logit rises too (class visualisation), and DeepDream starts from the given image. */
    @Test
    void aClassLogitRisesAndDeepDreamStartsFromTheImage() throws Exception {
        ActivationMaximisation am = ActivationMaximisation.fromString("activation_max[steps=24]");
        ActivationMaximisation.Result out = am.run(shipped, "logits", new int[] {1}, -1, -1, null);
        assertTrue(out.trace()[0][23] > out.trace()[0][0], Arrays.toString(out.trace()[0]));
        ActivationMaximisation dream = ActivationMaximisation.fromString("activation_max[steps=2,init=image,jitter=0]");
        try (NDManager m = NDManager.newBaseManager()) {
            float[] grey = ImageCodec.toTensor(
                    Files.readAllBytes(TestModels.locate("data/sample/fmnist-loc-test-00000.png")), 1, 64, 64);
            float[] dreamt = dream.run(shipped, "relu2", new int[] {0}, -1, -1, m.create(grey, new Shape(1, 1, 64, 64)))
                    .images();
            double moved = 0;
            for (int i = 0; i < grey.length; i++) {
                moved = Math.max(moved, Math.abs(dreamt[i] - grey[i]));
            }
            assertTrue(moved > 0 && moved < 0.2, "two small steps from the image: " + moved);
            IllegalArgumentException none = assertThrows(
                    IllegalArgumentException.class, () -> dream.run(shipped, "relu2", new int[] {0}, -1, -1, null));
            assertEquals(
                    "activation_max with init=image needs one start image per unit, [1, 1, 64, 64]", none.getMessage());
        }
    }
}
