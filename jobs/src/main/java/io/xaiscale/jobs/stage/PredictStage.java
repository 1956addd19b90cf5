package io.xaiscale.jobs.stage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.xaiscale.config.Params;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.DecodedBatch;
import io.xaiscale.jobs.runtime.TaskSetup;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The predictions stage: one forward pass per image, one row per image and model in the
 * {@code predictions} table: the top-k classes and their softmax probabilities, the margin between
 * the first two, the entropy of the distribution, and whether the first class is the image's label.
 * What accuracy per class, confusion and calibration are computed from in SQL
 * ({@code notebooks-sql/predictions.sql}), without explaining anything.
 */
public final class PredictStage implements Stage {
    static final Descriptor DESCRIPTOR = new Descriptor(
            "predict", "image(s)", "prediction", Tables.PREDICTIONS, List.of("image_id"), List.of(), "image_id");

    @Override
    public Descriptor descriptor() {
        return DESCRIPTOR;
    }

    /** The stage's settings: how many classes a row keeps, and which images. */
    public record Settings(StageSettings stage, int topK, Selection selection) implements Serializable {
        String params() {
            Map<String, Object> p = new TreeMap<>();
            p.put("top_k", topK);
            return Params.json(p);
        }
    }

    private final Settings s;
    private final ModelCard card;

    public PredictStage(Settings s, ModelCard card) {
        this.s = s;
        this.card = card;
    }

    @Override
    public String describe() {
        return "model " + card.key() + ": top " + s.topK() + " classes x images"
                + (s.selection().isAll() ? "" : " (" + s.selection().describe() + ")");
    }

    @Override
    public StageSettings settings() {
        return s.stage();
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        return ImagesOfAModel.pending(
                spark, s.stage(), s.selection(), Tables.PREDICTIONS, card, "predict", s.params(), "label");
    }

    @Override
    public Work work() {
        int topK = s.topK();
        return task -> new Batch(task, topK);
    }

    /** One partition's batches: decoded ahead, then one forward pass per batch. */
    static final class Batch implements Stage.Decoding {
        private final Classifier model;
        private final NDManager scope;
        private final int topK;

        Batch(TaskSetup.TaskModel task, int topK) {
            this.model = task.model();
            this.scope = task.scope();
            this.topK = Math.min(topK, model.numClasses());
        }

        @Override
        public DecodedBatch decode(List<Row> batch) {
            return ImagesOfAModel.decode(batch, model);
        }

        @Override
        public List<Row> apply(List<Row> batch, DecodedBatch d) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            List<Row> out = new ArrayList<>();
            for (int i = 0; i < d.failed().size(); i++) {
                out.add(row(d.failed().get(i), now)
                        .absent(VALUES)
                        .set("error", d.errors().get(i))
                        .build());
            }
            int n = d.ok().size();
            if (n == 0) {
                return out;
            }
            float[] probs;
            try (NDManager m = scope.newSubManager()) {
                NDArray x = m.create(d.pixels(), model.card().input().shape(n));
                probs = model.probabilities(x).toFloatArray();
            }
            int k = model.numClasses();
            for (int i = 0; i < n; i++) {
                Ranked r = Ranked.of(probs, i * k, k, topK);
                if (r == null) {
                    out.add(row(d.ok().get(i), now)
                            .absent(VALUES)
                            .set("error", "non-finite probabilities (NaN or infinity) for this image")
                            .build());
                    continue;
                }
                Integer label = d.ok().get(i).getAs("label");
                out.add(row(d.ok().get(i), now)
                        .set("top_classes", Table.ints(r.classes()))
                        .set("top_probs", Table.doubles(r.probs()))
                        .set("predicted_class", r.classes()[0])
                        .set("predicted_prob", (double) r.probs()[0])
                        .set("margin", r.margin())
                        .set("entropy", r.entropy())
                        .set("correct", label == null ? null : label == r.classes()[0])
                        .set("error", null)
                        .build());
            }
            return out;
        }

        private Table.RowBuilder row(Row in, Timestamp now) {
            return Tables.PREDICTIONS
                    .row()
                    .copy(in, "image_id", "label", "params", "params_hash")
                    .set("model_id", model.card().id())
                    .set("model_version", model.card().version())
                    .set("weights_sha256", model.weightsSha256())
                    .set("computed_at", now);
        }
    }

    /**
     * The {@code topK} most probable classes of one image's probabilities (ties: the lower class
     * first), the margin between the first two (the first's probability when there is one class) and
     * the entropy of the whole distribution in nats; null when a probability is not finite.
     */
    record Ranked(int[] classes, float[] probs, double margin, double entropy) {
        static Ranked of(float[] p, int from, int k, int topK) {
            double entropy = 0;
            for (int c = 0; c < k; c++) {
                float v = p[from + c];
                if (!Float.isFinite(v)) {
                    return null;
                }
                entropy -= v > 0 ? v * Math.log(v) : 0;
            }
            int[] classes = new int[topK];
            float[] probs = new float[topK];
            boolean[] taken = new boolean[k];
            for (int t = 0; t < topK; t++) {
                int best = -1;
                for (int c = 0; c < k; c++) {
                    if (!taken[c] && (best < 0 || p[from + c] > p[from + best])) {
                        best = c;
                    }
                }
                taken[best] = true;
                classes[t] = best;
                probs[t] = p[from + best];
            }
            double second = topK > 1 ? probs[1] : secondLargest(p, from, k, classes[0]);
            return new Ranked(classes, probs, probs[0] - second, entropy);
        }

        private static double secondLargest(float[] p, int from, int k, int first) {
            double s = k > 1 ? Double.NEGATIVE_INFINITY : 0;
            for (int c = 0; c < k; c++) {
                if (c != first) {
                    s = Math.max(s, p[from + c]);
                }
            }
            return s;
        }
    }

    private static final String[] VALUES = {
        "top_classes", "top_probs", "predicted_class", "predicted_prob", "margin", "entropy", "correct"
    };
}
