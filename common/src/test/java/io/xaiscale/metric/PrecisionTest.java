package io.xaiscale.metric;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.util.MapCodec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Maps stored at 16 bits score as the float32 maps do, within the tolerances docs/metrics.md states:
 * the shipped CNN's maps of 16 benchmark canvases (two methods), every metric of the list computed on
 * the float32 maps and on the same maps through float16 and bfloat16; the tolerance bounds the
 * largest difference of one image's value, except for the pointing game, a 0/1 value per image whose
 * mean it bounds (bfloat16's 8 bits can break a tie at a Grad-CAM map's flat maximum: measured, one
 * image in 16).
 */
class PrecisionTest {
    /** Metric spec and the largest difference of a value allowed for float16 and for bfloat16. */
    static final Map<String, double[]> TOLERANCE = new LinkedHashMap<>();

    static {
        TOLERANCE.put("deletion_auc[steps=16]", new double[] {2e-3, 1e-2});
        TOLERANCE.put("iou", new double[] {2e-3, 1e-2});
        TOLERANCE.put("pointing_game", new double[] {0, 0.07}); // of the mean over the 16 images
        TOLERANCE.put("relevance_mass", new double[] {1e-3, 5e-3});
        TOLERANCE.put("sparseness", new double[] {1e-3, 5e-3});
        TOLERANCE.put("entropy", new double[] {1e-3, 5e-3});
        TOLERANCE.put("faithfulness_correlation[samples=16]", new double[] {1e-3, 1e-2});
    }

    @Test
    void metricValuesOn16BitMapsStayWithinTheStatedTolerances() throws Exception {
        int n = 16;
        LocalizationBenchmark bench =
                new LocalizationBenchmark(FashionMnist.read(FashionMnist.DEFAULT_DIR, "test"), 64, 8);
        float[] pixels = new float[n * 4096];
        Box[] boxes = new Box[n];
        for (int i = 0; i < n; i++) {
            LocalizationBenchmark.Sample s = bench.sample(i);
            s.copyTo(pixels, i * 4096);
            boxes[i] = s.box();
        }
        try (Classifier model = Classifier.load(TestModels.shipped());
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(pixels, new Shape(n, 1, 64, 64));
            int[] t = Autograd.argMax(model.logitsNoGrad(x));
            for (String method : new String[] {"gradient_x_input", "grad_cam"}) {
                float[] flat =
                        Explainers.fromString(method).attribute(model, x, t).toFloatArray();
                for (MapCodec.Precision p :
                        new MapCodec.Precision[] {MapCodec.Precision.FLOAT16, MapCodec.Precision.BFLOAT16}) {
                    float[][] exact = new float[n][];
                    float[][] coded = new float[n][];
                    for (int i = 0; i < n; i++) {
                        exact[i] = Arrays.copyOfRange(flat, i * 4096, (i + 1) * 4096);
                        coded[i] = MapCodec.decode(MapCodec.encode(flat, i * 4096, 4096, p), p);
                    }
                    for (var e : TOLERANCE.entrySet()) {
                        Metric metric = Metrics.fromString(e.getKey());
                        double[] a = metric.evaluate(EvalBatch.of(model, x, exact, t, boxes));
                        double[] b = metric.evaluate(EvalBatch.of(model, x, coded, t, boxes));
                        double tol = e.getValue()[p == MapCodec.Precision.FLOAT16 ? 0 : 1];
                        double worst = 0;
                        double meanDiff = 0;
                        for (int i = 0; i < n; i++) {
                            worst = Math.max(worst, Math.abs(a[i] - b[i]));
                            meanDiff += (a[i] - b[i]) / n;
                        }
                        if (e.getKey().equals("pointing_game")) {
                            worst = Math.abs(meanDiff);
                        }
                        System.out.printf(
                                "[precision] %s %s %s: largest difference %.2e%n", method, p.spec(), e.getKey(), worst);
                        assertTrue(
                                worst <= tol, method + " " + p.spec() + " " + e.getKey() + ": " + worst + " > " + tol);
                    }
                }
            }
        }
    }
}
