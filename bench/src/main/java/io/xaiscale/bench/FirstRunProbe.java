package io.xaiscale.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.explain.Explainers;
import io.xaiscale.model.Classifier;
import java.nio.file.Path;
import java.util.Random;

/**
 * The first call of a method on a freshly loaded model in this JVM, as the explain stage makes it,
 * and whether its maps hold a NaN or an infinity (then the explain stage computes the batch again:
 * docs/sizing.md, "Virtual CPUs and oneDNN"). Prints {@code non-finite N} (values) and
 * {@code second non-finite M} for the same call again. Arguments: model directory, method spec.
 */
public final class FirstRunProbe {
    private FirstRunProbe() {}

    public static void main(String[] args) throws Exception {
        try (Classifier model = Classifier.load(Path.of(args[0]));
                NDManager m = NDManager.newBaseManager()) {
            int n = 2;
            float[] px = new float[n * model.channels() * model.height() * model.width()];
            Random r = new Random(7);
            for (int i = 0; i < px.length; i++) {
                px[i] = r.nextFloat();
            }
            NDArray x = m.create(px, new Shape(n, model.channels(), model.height(), model.width()));
            int[] targets = {0, 1};
            float[] first =
                    Explainers.fromString(args[1]).attribute(model, x, targets).toFloatArray();
            float[] second =
                    Explainers.fromString(args[1]).attribute(model, x, targets).toFloatArray();
            System.out.println("non-finite " + nonFinite(first) + " second non-finite " + nonFinite(second));
        }
    }

    static int nonFinite(float[] v) {
        int bad = 0;
        for (float f : v) {
            bad += Float.isFinite(f) ? 0 : 1;
        }
        return bad;
    }
}
