package io.xaiscale.jobs.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.TargetRule;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.stage.ExplainKnobs;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.Selection;
import io.xaiscale.util.MapCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.Param;
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
 * Explains the images of any DataFrame as a Spark ML stage: a row per input row, method and target,
 * with the columns of the {@code explanations} table (map, target and predicted class, error, ...)
 * after the input's own. It runs the explain job's own work ({@link ExplainStage} through
 * {@code StageRunner.compute}): the model once per executor JVM, batches of one method, gradients and
 * native memory per task, one bad image one error row. Identical image bytes are explained once.
 *
 * <pre>{@code
 * Dataset<Row> files = spark.read().format("binaryFile").load("data/sample/*.png");
 * Dataset<Row> maps = new ImageExplainer()
 *         .setModelPath("models/fmnist-loc-cnn")
 *         .setMethods("gradient", "grad_cam")
 *         .transform(files);
 * }</pre>
 */
public final class ImageExplainer extends ModelStage<ImageExplainer> {
    private final StringArrayParam methods;
    private final Param<String> targets;
    private final Param<String> mapPrecision;
    private final Param<String> mapResolution;

    public ImageExplainer() {
        this(Identifiable.randomUID("ImageExplainer"));
    }

    public ImageExplainer(String uid) {
        super(uid);
        methods = new StringArrayParam(this, "methods", "method specs, e.g. gradient, integrated_gradients[steps=64]");
        targets = new Param<>(this, "targets", ExplainKnobs.TARGET_HELP);
        mapPrecision = new Param<>(this, "mapPrecision", "stored map precision: " + MapCodec.Precision.SPECS);
        mapResolution = new Param<>(this, "mapResolution", "stored map resolution: " + Maps.Resolution.SPECS);
        setDefault(
                methods,
                Explainers.listFromString(Explainers.DEFAULT_METHODS).stream()
                        .map(Explainer::spec)
                        .toArray(String[]::new));
        setDefault(targets, ExplainKnobs.DEFAULT_TARGET);
        setDefault(mapPrecision, ExplainKnobs.DEFAULT_PRECISION);
        setDefault(mapResolution, ExplainKnobs.DEFAULT_RESOLUTION);
    }

    public static MLReader<ImageExplainer> read() {
        return new DefaultParamsReader<>();
    }

    public static ImageExplainer load(String path) {
        return read().load(path);
    }

    public StringArrayParam methods() {
        return methods;
    }

    public Param<String> targets() {
        return targets;
    }

    public Param<String> mapPrecision() {
        return mapPrecision;
    }

    public Param<String> mapResolution() {
        return mapResolution;
    }

    public ImageExplainer setMethods(String... specs) {
        set(methods, specs);
        return this;
    }

    public ImageExplainer setTargets(String v) {
        set(targets, v);
        return this;
    }

    public ImageExplainer setMapPrecision(String v) {
        set(mapPrecision, v);
        return this;
    }

    public ImageExplainer setMapResolution(String v) {
        set(mapResolution, v);
        return this;
    }

    public String[] getMethods() {
        return getOrDefault(methods);
    }

    /** The stage's settings from its params, each checked (the methods against the model too). */
    private record Plan(Checked checked, ExplainStage.Settings settings) {}

    private Plan plan(StructType schema) {
        checkInput(schema);
        List<Explainer> parsed = new ArrayList<>();
        for (String spec : getMethods()) {
            try {
                parsed.addAll(Explainers.listFor(spec, checked().model().card()));
            } catch (IllegalArgumentException e) {
                throw invalid(methods, spec, e.getMessage());
            }
        }
        if (parsed.isEmpty()) {
            throw invalid(methods, "", "give at least one of: " + String.join(", ", Explainers.names()));
        }
        List<TargetRule> rules = parsed(targets, TargetRule::parseList);
        checkGroundTruth(schema);
        boolean hasLabel = Arrays.asList(schema.fieldNames()).contains(getLabelCol());
        if (!hasLabel && (rules.contains(TargetRule.LABEL) || rules.contains(TargetRule.LABELS))) {
            throw invalid(
                    labelCol(),
                    getLabelCol(),
                    "targets " + getOrDefault(targets) + " need the class of each image: the input has no such column");
        }
        Maps.Storage storage = new Maps.Storage(
                parsed(mapPrecision, MapCodec.Precision::of), parsed(mapResolution, Maps.Resolution::of));
        checkNoClash(schema, outputColumns(), " (the images table: .withColumnRenamed(\"error\", \"image_error\"))");
        Checked c = checked();
        for (Explainer e : parsed) {
            if (e.referenceNeed() != null && c.settings().warehouse() == null) {
                throw invalid(
                        warehouse(),
                        "",
                        "method " + e.spec() + " reads a reference set: set the warehouse"
                                + " whose reference_sets table has it");
            }
        }
        try {
            ExplainStage.validate(parsed, rules, c.model().card());
        } catch (IllegalArgumentException e) {
            throw invalid(methods, String.join(",", getMethods()), e.getMessage());
        }
        List<String> specs = parsed.stream().map(Explainer::spec).toList();
        return new Plan(c, new ExplainStage.Settings(c.settings(), specs, rules, Selection.ALL, storage));
    }

    /** The explanation columns this stage adds (all of the explanations table's but the image id). */
    static List<String> outputColumns() {
        return Arrays.stream(Tables.EXPLANATIONS.schema().fieldNames())
                .filter(c -> !c.equals(ImageInput.ID))
                .toList();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        plan(schema);
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(ImageInput.ID, DataTypes.StringType, true));
        Arrays.stream(schema.fields())
                .filter(f -> !f.name().equals(ImageInput.ID))
                .forEach(fields::add);
        for (String c : outputColumns()) {
            fields.add(Tables.EXPLANATIONS.schema().apply(c));
        }
        return DataTypes.createStructType(fields);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Plan p = plan(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        Column bytes = ImageInput.bytes(dataset, getInputCol());
        Dataset<Row> keyed = ImageInput.withId(dataset, bytes);
        Dataset<Row> images = keyed.select(
                        col(ImageInput.ID),
                        bytes.as("content"),
                        ImageInput.orNull(keyed, getLabelCol(), "label"),
                        when(bytes.isNull(), lit("no image bytes in column " + getInputCol()))
                                .as("image_error"),
                        ImageInput.orNull(keyed, getBoxesCol(), "boxes"))
                .dropDuplicates(ImageInput.ID);
        ExplainStage stage = new ExplainStage(p.settings(), p.checked().model().card());
        Dataset<Row> items = stage.items(spark, images);
        Dataset<Row> rows = compute(spark, stage, items);
        return keyed.join(rows, DeltaIO.columns(ImageInput.ID));
    }
}
