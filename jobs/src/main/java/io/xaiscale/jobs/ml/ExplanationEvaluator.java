package io.xaiscale.jobs.ml;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.stage.EvaluateStage;
import io.xaiscale.jobs.warehouse.GroundTruth;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.ModelCard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scores the explanations of a DataFrame (an {@link ImageExplainer}'s output, or the explanations
 * table joined with its images) with metrics, as a Spark ML stage: a row per explanation and metric
 * output, with the columns of the {@code metrics} table after the input's ({@code error} of a value is
 * {@code metric_error}, the explanation's own {@code error} stays). It runs the evaluate job's own work
 * ({@link EvaluateStage} through {@code StageRunner.compute}). Explanations with an error, or of another
 * model than {@code modelPath}'s, keep their row with no metric.
 */
public final class ExplanationEvaluator extends ModelStage<ExplanationEvaluator> {
    private final StringArrayParam metrics;

    /** The explanation columns the evaluator reads. */
    static final List<String> NEEDS = List.of(
            "image_id", "model_id", "model_version", "method", "method_spec", "params_hash", "target_class", "error");

    /** The metrics table's columns it adds, with the value's error renamed; the rest are the explanation's keys. */
    static final List<String> OUTPUTS = List.of(
            "metric",
            "metric_params",
            "metric_params_hash",
            "value",
            "higher_is_better",
            "metric_error",
            "evaluated_at",
            "ground_truth",
            "ground_truth_hash",
            "curve");

    /** The metrics table's column an output column holds: the value's {@code error} is {@code metric_error}. */
    static String stored(String output) {
        return output.equals("metric_error") ? "error" : output;
    }

    public ExplanationEvaluator() {
        this(Identifiable.randomUID("ExplanationEvaluator"));
    }

    public ExplanationEvaluator(String uid) {
        super(uid);
        metrics = new StringArrayParam(this, "metrics", "metric specs, e.g. deletion_auc, iou[threshold=0.5]");
        setDefault(
                metrics,
                Metrics.listFromString(Metrics.DEFAULT_METRICS).stream()
                        .map(Metric::spec)
                        .toArray(String[]::new));
    }

    public static MLReader<ExplanationEvaluator> read() {
        return new DefaultParamsReader<>();
    }

    public static ExplanationEvaluator load(String path) {
        return read().load(path);
    }

    public StringArrayParam metrics() {
        return metrics;
    }

    public ExplanationEvaluator setMetrics(String... specs) {
        set(metrics, specs);
        return this;
    }

    public String[] getMetrics() {
        return getOrDefault(metrics);
    }

    private record Plan(Checked checked, EvaluateStage.Settings settings) {}

    private Plan plan(StructType schema) {
        checkInput(schema);
        checkGroundTruth(schema);
        List<String> needs = new ArrayList<>(NEEDS);
        needs.addAll(Arrays.asList(Maps.COLUMNS));
        List<String> missing = needs.stream()
                .filter(c -> !Arrays.asList(schema.fieldNames()).contains(c))
                .toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(uid() + " scores explanations: its input lacks the column(s) " + missing
                    + " (put an ImageExplainer before it, or join the explanations table with the images)");
        }
        List<String> specs = new ArrayList<>();
        for (String spec : getMetrics()) {
            try {
                Metrics.listFromString(spec).forEach(m -> specs.add(m.spec()));
            } catch (IllegalArgumentException e) {
                throw invalid(metrics, spec, e.getMessage());
            }
        }
        if (specs.isEmpty()) {
            throw invalid(metrics, "", "give at least one of: " + String.join(", ", Metrics.names()));
        }
        checkNoClash(schema, OUTPUTS, "");
        Checked c = checked();
        return new Plan(c, new EvaluateStage.Settings(c.settings(), specs));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        plan(schema);
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        for (String c : OUTPUTS) {
            StructField f = Tables.METRICS.schema().apply(stored(c));
            fields.add(DataTypes.createStructField(c, f.dataType(), true));
        }
        return DataTypes.createStructType(fields);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Plan p = plan(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        ModelCard card = p.checked().model().card();
        Dataset<Row> input = dataset.toDF();
        Dataset<Row> explained = input.where(col("error").isNull().and(Tables.ofModel(card)));
        // the ground truth under the images table's names, as the evaluate job reads it
        Dataset<Row> truth = explained
                .withColumn("label", ImageInput.orNull(explained, getLabelCol(), "label"))
                .withColumn("boxes", ImageInput.orNull(explained, getBoxesCol(), "boxes"));
        List<Column> first = new ArrayList<>(Arrays.asList(EvaluateStage.explanationColumns(truth)));
        first.add(ImageInput.bytes(truth, getInputCol()).as("content"));
        first.add(Tables.IMAGES.column(truth, "ground_truth_hash").as("image_gt_hash"));
        EvaluateStage stage = new EvaluateStage(p.settings(), card);
        Dataset<Row> items = truth.select(GroundTruth.columns(truth, first.toArray(new Column[0])))
                .dropDuplicates("image_id", "params_hash")
                .crossJoin(stage.metricRows(spark, new ArrayList<>()));
        stage.drawReferences(spark, explained);
        Dataset<Row> rows = compute(spark, stage, items);
        List<Column> out = new ArrayList<>();
        for (String k : List.of("image_id", "model_id", "model_version", "params_hash")) {
            out.add(col(k));
        }
        for (String c : OUTPUTS) {
            out.add(col(stored(c)).as(c));
        }
        return input.join(
                rows.select(out.toArray(new Column[0])),
                DeltaIO.columns("image_id", "model_id", "model_version", "params_hash"),
                "left");
    }
}
