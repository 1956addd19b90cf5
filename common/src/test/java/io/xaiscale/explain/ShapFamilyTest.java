package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.model.Classifier;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Expected Gradients, GradientSHAP and DeepLIFT-SHAP against what they promise: completeness against
 * the reference distribution ({@code sum = f(x) - E[f(b)]}: exact for DeepLIFT-SHAP, in expectation
 * for Expected Gradients), closed forms on a linear model, and the reference set's bookkeeping.
 */
class ShapFamilyTest {
    static NDManager manager;
    static Classifier cnn;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        cnn = Classifier.load(TestModels.shipped());
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        cnn.close();
    }

    /** {@code count} images like the contract's (a bright square on a dark background), as a set. */
    static References set(String id, long seed, int count) {
        try (NDManager m = manager.newSubManager()) {
            int side = cnn.height();
            return new References(
                    id,
                    count,
                    1,
                    side,
                    side,
                    ContractTest.images(m, seed, count, side).toFloatArray());
        }
    }

    static double sum(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f;
        }
        return s;
    }

    /** {@code f(x) - mean_b f(b)} for the target logit. */
    static double delta(NDManager m, NDArray x, References refs, int target) {
        double fx = cnn.logitsNoGrad(x).getFloat(0, target);
        float[] fb = cnn.logitsNoGrad(refs.on(m)).toFloatArray();
        double mean = 0;
        for (int k = 0; k < refs.count(); k++) {
            mean += fb[k * cnn.numClasses() + target];
        }
        return fx - mean / refs.count();
    }

    @Test
    void deepLiftShapSumsExactlyToTheOutputAboveTheMeanReference() {
        References refs = set("bg", 3, 4);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = ContractTest.images(m, 8, 1, cnn.height());
            Explainer e = Explainers.fromString("deeplift_shap");
            e.use(refs);
            for (int target : new int[] {0, 4}) {
                double total = sum(e.attribute(cnn, x, new int[] {target}).toFloatArray());
                double expected = delta(m, x, refs, target);
                assertEquals(expected, total, 2e-3 * Math.max(1, Math.abs(expected)), "class " + target);
            }
        }
    }

    @Test
    void deepLiftShapWithOneReferenceIsDeepLiftAgainstIt() {
        try (NDManager m = manager.newSubManager()) {
            int side = cnn.height();
            References black = new References("black", 1, 1, side, side, new float[side * side]);
            NDArray x = ContractTest.images(m, 9, 2, side);
            Explainer e = Explainers.fromString("deeplift_shap[rule=reveal_cancel]");
            e.use(black);
            assertArrayEquals(
                    Explainers.fromString("deeplift[rule=reveal_cancel,baseline=zero]")
                            .attribute(cnn, x, new int[] {1, 6})
                            .toFloatArray(),
                    e.attribute(cnn, x, new int[] {1, 6}).toFloatArray(),
                    1e-5f);
        }
    }

    @Test
    void expectedGradientsIsCompleteInExpectation() {
        References refs = set("bg", 3, 4);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = ContractTest.images(m, 8, 1, cnn.height());
            int target = 4;
            double expected = delta(m, x, refs, target);
            Explainer few = Explainers.fromString("expected_gradients[samples=4]");
            few.use(refs);
            Explainer many = Explainers.fromString("expected_gradients[samples=1024]");
            many.use(refs);
            double errFew =
                    Math.abs(sum(few.attribute(cnn, x, new int[] {target}).toFloatArray()) - expected);
            double errMany =
                    Math.abs(sum(many.attribute(cnn, x, new int[] {target}).toFloatArray()) - expected);
            assertTrue(errMany < 0.05 * Math.abs(expected), "1024 draws within 5%: " + errMany + " of " + expected);
            assertTrue(errMany < errFew, "more draws, closer: " + errMany + " < " + errFew);
        }
    }

    @Test
    void onALinearModelExpectedGradientsIsWeightTimesDistanceToTheReference() {
        int c = 1;
        int h = 3;
        int w = 4;
        Random r = new Random(2);
        float[] weights = new float[2 * h * w];
        float[] x = new float[h * w];
        float[] b = new float[h * w];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
            b[i] = r.nextFloat();
        }
        float[] expected = new float[h * w];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = weights[h * w + i] * (x[i] - b[i]);
        }
        try (Classifier linear = TestModels.linear(weights, new float[] {0f, 1f}, c, h, w);
                NDManager m = manager.newSubManager()) {
            for (String spec : List.of("expected_gradients[samples=3]", "deeplift_shap")) {
                Explainer e = Explainers.fromString(spec);
                e.use(new References("one", 1, c, h, w, b));
                float[] map = e.attribute(linear, m.create(x, new Shape(1, c, h, w)), new int[] {1})
                        .toFloatArray();
                assertArrayEquals(expected, map, 1e-5f, spec);
            }
        }
    }

    @Test
    void theSetsIdIsInTheSpecAndAMethodWithoutItsSetSaysWhatToDo() {
        References refs = set("abc123", 3, 2);
        Explainer e = Explainers.fromString("expected_gradients[samples=2]");
        assertEquals(new References.Need(16, 0L, null), e.referenceNeed());
        e.use(refs);
        assertEquals(
                "expected_gradients[reference=images,reference_seed=0,reference_set=abc123,references=16,samples=2,"
                        + "seed=0]",
                e.spec());
        // an executor parses the recorded spec and must be given that very set
        Explainer parsed = Explainers.fromString(e.spec());
        assertEquals("abc123", parsed.referenceNeed().id());
        IllegalArgumentException other =
                assertThrows(IllegalArgumentException.class, () -> parsed.use(set("zzz", 1, 1)));
        assertEquals(
                "Reference set zzz given to expected_gradients whose spec names reference_set=abc123",
                other.getMessage());
        Explainer wrapped = Explainers.fromString("smoothgrad[base=expected_gradients[samples=2],samples=2]");
        wrapped.use(refs);
        assertTrue(wrapped.spec().contains("reference_set=abc123"), wrapped.spec());
        try (NDManager m = manager.newSubManager()) {
            NDArray x = ContractTest.images(m, 8, 1, cnn.height());
            IllegalStateException none = assertThrows(
                    IllegalStateException.class,
                    () -> Explainers.fromString("deeplift_shap").attribute(cnn, x, new int[] {0}));
            assertEquals(
                    "deeplift_shap with reference=images needs its reference set: the explain job draws it from the "
                            + "images table; elsewhere call use(References), or give reference=uniform",
                    none.getMessage());
        }
        assertEquals(
                "Invalid reference_set for gradient_shap: abc (a set id goes with reference=images, not "
                        + "reference=uniform)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Explainers.fromString("gradient_shap[reference=uniform,reference_set=abc]"))
                        .getMessage());
    }
}
