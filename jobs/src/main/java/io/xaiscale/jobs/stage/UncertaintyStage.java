package io.xaiscale.jobs.stage;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Params;
import io.xaiscale.internals.McDropout;
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
 * The uncertainty stage: Monte-Carlo dropout over the selected images ({@link McDropout}), one row per
 * image and setting (passes, seed) in the {@code uncertainty} table: the prediction of the mean
 * probabilities, their spread, predictive entropy, expected entropy and mutual information; a model
 * without dropout gets zeros and a note saying why.
 */
public final class UncertaintyStage implements Stage {
    /** What this stage is called, writes and keys its work by. */
    static final Descriptor DESCRIPTOR = new Descriptor(
            "uncertainty",
            "image(s)",
            "uncertainty",
            Tables.UNCERTAINTY,
            List.of("params_hash", "image_id"),
            List.of("params_hash"),
            "image_id");

    @Override
    public Descriptor descriptor() {
        return DESCRIPTOR;
    }

    /** The stage's settings. */
    public record Settings(StageSettings stage, int passes, long seed, Selection selection) implements Serializable {
        String params() {
            Map<String, Object> p = new TreeMap<>();
            p.put("passes", passes);
            p.put("seed", seed);
            return Params.json(p);
        }
    }

    private final Settings s;
    private final ModelCard card;

    public UncertaintyStage(Settings s, ModelCard card) {
        this.s = s;
        this.card = card;
    }

    @Override
    public String describe() {
        return "model " + card.key() + ": Monte-Carlo dropout, " + s.passes() + " passes x images"
                + (s.selection().isAll() ? "" : " (" + s.selection().describe() + ")");
    }

    @Override
    public StageSettings settings() {
        return s.stage();
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        return ImagesOfAModel.pending(
                spark, s.stage(), s.selection(), Tables.UNCERTAINTY, card, "mc_dropout", s.params());
    }

    @Override
    public Work work() {
        Settings settings = s;
        return task -> new Batch(task, settings);
    }

    /** One partition's batches: decoded ahead, then the passes. */
    static final class Batch implements Stage.Decoding {
        private final Classifier model;
        private final NDManager scope;
        private final Settings s;

        Batch(TaskSetup.TaskModel task, Settings s) {
            this.model = task.model();
            this.scope = task.scope();
            this.s = s;
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
            long[] seeds = new long[n];
            for (int i = 0; i < n; i++) {
                // per image: the same draws whatever its batch
                seeds[i] = s.seed() * 1_000_003L
                        + d.ok().get(i).<String>getAs("image_id").hashCode();
            }
            try (NDManager m = scope.newSubManager()) {
                NDArray x = m.create(d.pixels(), new Shape(n, model.channels(), model.height(), model.width()));
                McDropout.Result r = McDropout.run(model, x, s.passes(), seeds);
                for (int i = 0; i < n; i++) {
                    out.add(row(d.ok().get(i), now)
                            .set("passes", s.passes())
                            .set("dropout_layers", r.dropoutLayers())
                            .set("predicted_class", r.predicted()[i])
                            .set("mean_prob", (double) r.meanProb()[i])
                            .set("prob_std", (double) r.probStd()[i])
                            .set("entropy", (double) r.entropy()[i])
                            .set("expected_entropy", (double) r.expectedEntropy()[i])
                            .set("mutual_information", (double) r.mutualInformation()[i])
                            .set("note", r.note())
                            .set("error", null)
                            .build());
                }
            }
            return out;
        }

        private Table.RowBuilder row(Row in, Timestamp now) {
            return Tables.UNCERTAINTY
                    .row()
                    .copy(in, "image_id", "params", "params_hash")
                    .set("model_id", model.card().id())
                    .set("model_version", model.card().version())
                    .set("computed_at", now);
        }
    }

    private static final String[] VALUES = {
        "passes",
        "dropout_layers",
        "predicted_class",
        "mean_prob",
        "prob_std",
        "entropy",
        "expected_entropy",
        "mutual_information",
        "note"
    };
}
