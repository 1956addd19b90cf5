package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.config.Params;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.internals.ActivationMaximisation;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.Batches;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Errors;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The unit-visualisation stage: for each unit of the chosen layers (a class logit of {@code logits},
 * or a channel of a feature layer) and visualisation configuration not yet in
 * {@code unit_visualisations}, activation maximisation; units of one layer batched together
 * (sample i of a batch optimises unit i), spread over the executors by unit, the model loaded once
 * per executor as in explain.
 */
public final class VisualiseStage implements Stage {
    /** What this stage is called, writes and keys its work by. */
    static final Descriptor DESCRIPTOR = new Descriptor(
            "visualise",
            "unit(s)",
            "unit-visualisation",
            Tables.UNIT_VISUALISATIONS,
            List.of("layer", "unit", "params_hash"),
            List.of("params_hash", "layer"),
            "unit_key");

    @Override
    public Descriptor descriptor() {
        return DESCRIPTOR;
    }

    /** The stage's settings: the visualisation spec and, per layer, its units (in order). */
    public record Settings(StageSettings stage, String spec, LinkedHashMap<String, List<Integer>> units)
            implements Serializable {}

    private final Settings s;
    private final ModelCard card;

    public VisualiseStage(Settings s, ModelCard card) {
        this.s = s;
        this.card = card;
    }

    public Settings visualisation() {
        return s;
    }

    public ModelCard card() {
        return card;
    }

    @Override
    public String describe() {
        List<String> layers = new ArrayList<>();
        s.units().forEach((l, u) -> layers.add(l + " (" + u.size() + ")"));
        return "model " + card.key() + ": " + String.join(", ", layers) + " with " + s.spec();
    }

    @Override
    public StageSettings settings() {
        return s.stage();
    }

    @Override
    public Dataset<Row> pending(SparkSession spark) {
        ActivationMaximisation am = ActivationMaximisation.fromString(s.spec());
        String params = Params.json(am.params());
        String hash = Params.hash(am.name(), params);
        List<Row> rows = new ArrayList<>();
        s.units()
                .forEach((layer, units) -> units.forEach(u ->
                        rows.add(RowFactory.create(layer, u, layer + "/" + u, am.name(), am.spec(), params, hash))));
        Dataset<Row> items = spark.createDataFrame(
                rows,
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("layer", DataTypes.StringType, false),
                        DataTypes.createStructField("unit", DataTypes.IntegerType, false),
                        DataTypes.createStructField("unit_key", DataTypes.StringType, false),
                        DataTypes.createStructField("visualisation", DataTypes.StringType, false),
                        DataTypes.createStructField("spec", DataTypes.StringType, false),
                        DataTypes.createStructField("params", DataTypes.StringType, false),
                        DataTypes.createStructField("params_hash", DataTypes.StringType, false))));
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, s.stage().warehouse(), Tables.UNIT_VISUALISATIONS)
                .where(
                        s.stage().retryErrors()
                                ? Tables.ofModel(card).and(col("error").isNull())
                                : Tables.ofModel(card))
                .select("layer", "unit", "params_hash");
        return items.join(done, DeltaIO.columns("layer", "unit", "params_hash"), "left_anti");
    }

    @Override
    public Work work() {
        return task -> {
            Classifier model = task.model();
            Map<String, ActivationMaximisation> specs = new LinkedHashMap<>();
            return batch -> {
                Row first = batch.get(0);
                ActivationMaximisation am =
                        specs.computeIfAbsent(first.getAs("spec"), ActivationMaximisation::fromString);
                String layer = first.getAs("layer");
                Timestamp now = new Timestamp(System.currentTimeMillis());
                return Batches.isolating(
                        batch,
                        rows -> visualise(model, am, layer, rows, now),
                        (r, e) -> List.of(row(model, r, now)
                                .absent("image", "activation", "trace", "runtime_ms")
                                .set(
                                        "error",
                                        "visualisation failed for model "
                                                + model.card().key() + ", layer " + layer + ", unit "
                                                + r.<Integer>getAs("unit") + ": " + Errors.describe(e))
                                .build()));
            };
        };
    }

    private static List<Row> visualise(
            Classifier model, ActivationMaximisation am, String layer, List<Row> rows, Timestamp now) {
        int[] units = rows.stream().mapToInt(r -> r.<Integer>getAs("unit")).toArray();
        long t0 = System.nanoTime();
        ActivationMaximisation.Result r = am.run(model, layer, units, -1, -1, null);
        double ms = (System.nanoTime() - t0) / 1e6 / units.length;
        int c = model.channels();
        int h = model.height();
        int w = model.width();
        List<Row> out = new ArrayList<>(rows.size());
        for (int i = 0; i < units.length; i++) {
            out.add(row(model, rows.get(i), now)
                    .set("image", ImageCodec.png(ImageCodec.fromTensor(r.images(), i * c * h * w, c, h, w)))
                    .set("activation", (double) r.activations()[i])
                    .set("trace", Table.doubles(r.trace()[i]))
                    .set("runtime_ms", ms)
                    .set("error", null)
                    .build());
        }
        return out;
    }

    private static Table.RowBuilder row(Classifier model, Row in, Timestamp now) {
        return Tables.UNIT_VISUALISATIONS
                .row()
                .copy(in, "layer", "unit", "visualisation", "spec", "params", "params_hash")
                .set("model_id", model.card().id())
                .set("model_version", model.card().version())
                .set("weights_sha256", model.weightsSha256())
                .set("visualised_at", now);
    }
}
