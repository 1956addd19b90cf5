package io.xaiscale.metric.similarity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Relevance;
import io.xaiscale.model.Classifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Base of the metrics that recompute each map under a change (of the input: robustness; of the
 * model: sanity checks) and compare it with the stored map: one output per similarity, named
 * {@code <metric>_<similarity>}, on the maps' {@code relevance} (abs by default, as in the sanity
 * checks of Adebayo et al.).
 */
public abstract class MapComparison extends Metric {
    private final Relevance.Mode relevance;
    private final List<String> similarities;
    private final double top;
    private final boolean higherIsBetter;

    /**
     * @param similarities among {@code pearson, spearman, ssim, dice}
     * @param higherIsBetter whether similarity is good (robustness) or bad (sanity checks)
     */
    protected MapComparison(String name, ParamReader p, List<String> similarities, boolean higherIsBetter) {
        super(name, p);
        this.relevance = Relevance.read(p, Relevance.Mode.ABS);
        this.similarities = similarities;
        this.top = similarities.contains("dice") ? p.getDouble("top", 0.1, 0.0, true, 1.0) : 0;
        this.higherIsBetter = higherIsBetter;
    }

    @Override
    public final Traits traits() {
        return Traits.reexplains(higherIsBetter);
    }

    @Override
    public List<String> outputs() {
        List<String> out = new ArrayList<>();
        for (String s : similarities) {
            out.add(name() + "_" + s);
        }
        return out;
    }

    /** Similarity rows {@code [similarities][N]} between the stored maps and {@code changed} maps. */
    protected double[][] compare(EvalBatch b, float[][] changed) {
        double[][] out = new double[similarities.size()][b.size()];
        for (int i = 0; i < b.size(); i++) {
            float[] a = Relevance.apply(relevance, b.maps()[i]);
            float[] c = Relevance.apply(relevance, changed[i]);
            for (int k = 0; k < similarities.size(); k++) {
                out[k][i] = switch (similarities.get(k)) {
                    case "dice" -> Similarity.diceTop(a, c, top);
                    default -> Similarity.of(similarities.get(k), a, c, b.width());
                };
            }
        }
        return out;
    }

    /** Maps {@code [N][H*W]} of {@code x} by the batch's method for the batch's targets. */
    protected static float[][] maps(EvalBatch b, Classifier model, NDArray x) {
        float[] flat = b.method()
                .attribute(model, x, b.targets())
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int hw = b.height() * b.width();
        float[][] out = new float[b.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, i * hw, (i + 1) * hw);
        }
        return out;
    }
}
