package io.xaiscale.jobs.delta;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import io.xaiscale.model.ModelCard;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The project's Delta tables ({@link Table}): where they live under a warehouse root, their schemas
 * (snake_case) and the keys that make writes idempotent.
 */
public final class Tables {
    public static final StructType BOX = createStructType(new StructField[] {
        createStructField("x0", IntegerType, false),
        createStructField("y0", IntegerType, false),
        createStructField("x1", IntegerType, false),
        createStructField("y1", IntegerType, false),
    });

    /** One object of an image: its box (original pixel coordinates, half-open) and class, when known. */
    public static final StructType LABELED_BOX = createStructType(new StructField[] {
        createStructField("x0", IntegerType, false),
        createStructField("y0", IntegerType, false),
        createStructField("x1", IntegerType, false),
        createStructField("y1", IntegerType, false),
        createStructField("label", IntegerType, true),
        createStructField("label_name", StringType, true),
        createStructField("difficult", BooleanType, true),
    });

    private static final StructType IMAGES_SCHEMA = createStructType(new StructField[] {
        createStructField("image_id", StringType, false),
        createStructField("source_uri", StringType, false),
        createStructField("content", BinaryType, true),
        createStructField("format", StringType, true),
        createStructField("width", IntegerType, true),
        createStructField("height", IntegerType, true),
        createStructField("channels", IntegerType, true),
        createStructField("label", IntegerType, true),
        createStructField("label_name", StringType, true),
        createStructField("bbox", BOX, true),
        createStructField("split", StringType, true),
        createStructField("error", StringType, true),
        createStructField("ingested_at", TimestampType, false),
        // every object's box and class (bbox is the first, kept for SQL written before)
        createStructField("boxes", DataTypes.createArrayType(LABELED_BOX, false), true),
        // a PNG label map at the image's size: pixel v > 0 is class v - 1, 0 background, 255 void
        createStructField("segmentation", BinaryType, true),
        // SHA-256 of the label, boxes and segmentation: a corrected manifest changes it
        createStructField("ground_truth_hash", StringType, true),
        // EXIF orientation (1..8) the file states; width, height and ground truth are the upright image's
        createStructField("orientation", IntegerType, true),
        // the file as last read: an ingest leaves a file of the same path, size, time and manifest values unread
        createStructField("source_size", LongType, true),
        createStructField("source_modified", TimestampType, true),
        createStructField("source_entry_hash", StringType, true),
        // when an ingest of the image's source no longer found its file (null: present); selections skip it
        createStructField("retired_at", TimestampType, true),
    });
    public static final Table IMAGES = new Table("images", IMAGES_SCHEMA, List.of("image_id"));

    private static final StructType EXPLANATIONS_SCHEMA = createStructType(new StructField[] {
        createStructField("image_id", StringType, false),
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("weights_sha256", StringType, true),
        createStructField("card_sha256", StringType, true),
        createStructField("method", StringType, false),
        createStructField("method_spec", StringType, false),
        createStructField("params", StringType, false),
        createStructField("params_hash", StringType, false),
        createStructField("target_rule", StringType, false),
        createStructField("target_class", IntegerType, true),
        createStructField("predicted_class", IntegerType, true),
        createStructField("predicted_prob", DoubleType, true),
        createStructField("map_height", IntegerType, true),
        createStructField("map_width", IntegerType, true),
        createStructField("map", BinaryType, true),
        createStructField("runtime_ms", DoubleType, true),
        createStructField("error", StringType, true),
        createStructField("explained_at", TimestampType, false),
        // the map's coarse signature (io.xaiscale.metric.Signature): its top quarter of an 8x8 grid, as bits
        createStructField("signature", LongType, true),
        // how map is stored: float32, float16 or bfloat16 (null: float32, written before the column existed)
        createStructField("map_dtype", StringType, true),
        // the model's input size: larger than map_height x map_width for a CAM-family map stored at its
        // layer's resolution (--map-resolution native), upsampled bilinearly on read (null: the same)
        createStructField("input_height", IntegerType, true),
        createStructField("input_width", IntegerType, true),
        // the method's implementation revision (Configured.revision; null: 1, before the column): a bump
        // changes params_hash, so the next run recomputes the rows and moves the old ones to superseded_explanations
        createStructField("method_revision", IntegerType, true),
        // the build of the project that wrote the row (Provenance.BUILD: version and commit; null: before the column)
        createStructField("xai_version", StringType, true),
    });
    public static final Table EXPLANATIONS = new Table(
            "explanations", EXPLANATIONS_SCHEMA, List.of("image_id", "model_id", "model_version", "params_hash"));

    private static final StructType METRICS_SCHEMA = createStructType(new StructField[] {
        createStructField("image_id", StringType, false),
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("method", StringType, false),
        createStructField("params_hash", StringType, false),
        createStructField("metric", StringType, false),
        createStructField("metric_params", StringType, false),
        createStructField("metric_params_hash", StringType, false),
        createStructField("value", DoubleType, true),
        createStructField("higher_is_better", BooleanType, false),
        createStructField("error", StringType, true),
        createStructField("evaluated_at", TimestampType, false),
        // for metrics against ground truth: which (e.g. "boxes of class 3 (2)", "segmentation of class 3")
        createStructField("ground_truth", StringType, true),
        // and the image's ground_truth_hash then: a corrected annotation makes the value stale
        createStructField("ground_truth_hash", StringType, true),
        // the curve the value is read off (deletion, insertion, AOPC, selectivity, IROF, ROAD, monotonicity)
        createStructField("curve", DataTypes.createArrayType(DoubleType, false), true),
        // the metric's implementation revision (null: 1), part of metric_params_hash from 2 on
        createStructField("metric_revision", IntegerType, true),
        // the build of the project that wrote the row (Provenance.BUILD: version and commit; null: before the column)
        createStructField("xai_version", StringType, true),
    });
    public static final Table METRICS = new Table(
            "metrics",
            METRICS_SCHEMA,
            List.of("image_id", "model_id", "model_version", "params_hash", "metric_params_hash", "metric"));

    /** Per image and pair of method configurations (a < b by params hash): similarity of their maps. */
    private static final StructType METHOD_AGREEMENT_SCHEMA = createStructType(new StructField[] {
        createStructField("image_id", StringType, false),
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("params_hash_a", StringType, false),
        createStructField("params_hash_b", StringType, false),
        createStructField("method_a", StringType, false),
        createStructField("method_b", StringType, false),
        createStructField("method_spec_a", StringType, false),
        createStructField("method_spec_b", StringType, false),
        createStructField("relevance", StringType, false),
        createStructField("pearson", DoubleType, true),
        createStructField("spearman", DoubleType, true),
        createStructField("ssim", DoubleType, true),
        createStructField("l1_similarity", DoubleType, true),
        createStructField("kl_divergence", DoubleType, true),
        createStructField("auc_a", DoubleType, true),
        createStructField("auc_b", DoubleType, true),
        createStructField("computed_at", TimestampType, false),
        // the build of the project that wrote the row (Provenance.BUILD: version and commit; null: before the column)
        createStructField("xai_version", StringType, true),
    });

    public static final Table METHOD_AGREEMENT = new Table(
            "method_agreement",
            METHOD_AGREEMENT_SCHEMA,
            List.of("image_id", "model_id", "model_version", "params_hash_a", "params_hash_b"));

    /**
     * Inputs of an ingest that became no image row (a listed file, a manifest row) and why: with the
     * images rows, every input of every ingest is accounted for. Keyed by input and reason.
     */
    private static final StructType INGEST_REJECTS_SCHEMA = createStructType(new StructField[] {
        createStructField("input", StringType, false),
        createStructField("kind", StringType, false),
        createStructField("path", StringType, true),
        createStructField("line", IntegerType, true),
        createStructField("reason", StringType, false),
        createStructField("detail", StringType, true),
        createStructField("source", StringType, false),
        createStructField("rejected_at", TimestampType, false),
    });

    public static final Table INGEST_REJECTS =
            new Table("ingest_rejects", INGEST_REJECTS_SCHEMA, List.of("input", "reason"));

    /**
     * Per image and method configuration, between two versions of one model: how the map moved (on
     * absolute maps: Pearson, Spearman, SSIM, IoU of the top 10% pixels) and whether the prediction
     * changed. Per-metric deltas come from {@code metrics} (notebook {@code drift.sql}).
     */
    private static final StructType MODEL_DRIFT_SCHEMA = createStructType(new StructField[] {
        createStructField("image_id", StringType, false),
        createStructField("model_id", StringType, false),
        createStructField("version_a", StringType, false),
        createStructField("version_b", StringType, false),
        createStructField("params_hash", StringType, false),
        createStructField("method", StringType, false),
        createStructField("method_spec", StringType, false),
        createStructField("target_rule", StringType, false),
        createStructField("target_class_a", IntegerType, true),
        createStructField("target_class_b", IntegerType, true),
        createStructField("predicted_a", IntegerType, true),
        createStructField("predicted_b", IntegerType, true),
        createStructField("prediction_changed", BooleanType, false),
        createStructField("relevance", StringType, false),
        createStructField("pearson", DoubleType, true),
        createStructField("spearman", DoubleType, true),
        createStructField("ssim", DoubleType, true),
        createStructField("top_iou", DoubleType, true),
        createStructField("computed_at", TimestampType, false),
        // the build of the project that wrote the row (Provenance.BUILD: version and commit; null: before the column)
        createStructField("xai_version", StringType, true),
    });

    public static final Table MODEL_DRIFT = new Table(
            "model_drift",
            MODEL_DRIFT_SCHEMA,
            List.of("image_id", "model_id", "version_a", "version_b", "params_hash"));

    /** A model an audit run worked with, and its weights' hash. */
    public static final StructType RUN_MODEL = createStructType(new StructField[] {
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("weights_sha256", StringType, true),
    });

    /** What one stage of a run did for one model. */
    public static final StructType RUN_STAGE = createStructType(new StructField[] {
        createStructField("model", StringType, true),
        createStructField("stage", StringType, false),
        createStructField("pending", LongType, false),
        createStructField("written", LongType, false),
        createStructField("seconds", DoubleType, false),
    });

    /** The mean of one metric output of one method configuration over a run's images (what gates compare). */
    public static final StructType RUN_MEAN = createStructType(new StructField[] {
        createStructField("model", StringType, false),
        createStructField("method_spec", StringType, false),
        createStructField("metric", StringType, false),
        createStructField("n", LongType, false),
        createStructField("mean", DoubleType, true),
        createStructField("higher_is_better", BooleanType, false),
    });

    /** One gate's outcome. */
    public static final StructType RUN_GATE = createStructType(new StructField[] {
        createStructField("gate", StringType, false),
        createStructField("passed", BooleanType, false),
        createStructField("value", DoubleType, true),
        createStructField("threshold", DoubleType, true),
        createStructField("detail", StringType, true),
    });

    /**
     * The run ledger: one row per audit run, written when it starts ({@code running}) and again when it
     * ends ({@code succeeded}, {@code gated}, {@code failed}). Every Delta commit of the run carries
     * {@code xai-run <run_id>} as its {@code userMetadata}.
     */
    private static final StructType AUDIT_RUNS_SCHEMA = createStructType(new StructField[] {
        createStructField("run_id", StringType, false),
        createStructField("audit", StringType, false),
        createStructField("config", StringType, false),
        createStructField("config_sha256", StringType, false),
        createStructField("status", StringType, false),
        createStructField("started_at", TimestampType, false),
        createStructField("ended_at", TimestampType, true),
        createStructField("spark_app_id", StringType, true),
        createStructField("selection", StringType, true),
        createStructField("images_version", LongType, true),
        createStructField("images_selected", LongType, true),
        // what the executors read from storage (Spark input metrics): a run with nothing new reads little
        createStructField("bytes_read", LongType, true),
        // the explanation and metric rows of the selected images, and those with an error (error_rate's terms)
        createStructField("checked_rows", LongType, true),
        createStructField("error_rows", LongType, true),
        // everything the results depend on, hashed (audit.Inputs); a run with the same hash takes the results of
        createStructField("inputs_sha256", StringType, true),
        createStructField("reused_run", StringType, true),
        createStructField("models", DataTypes.createArrayType(RUN_MODEL, false), true),
        createStructField("stages", DataTypes.createArrayType(RUN_STAGE, false), true),
        createStructField("means", DataTypes.createArrayType(RUN_MEAN, false), true),
        createStructField("gates", DataTypes.createArrayType(RUN_GATE, false), true),
        createStructField("error", StringType, true),
        // the build of the project that wrote the row (Provenance.BUILD: version and commit; null: before the column)
        createStructField("xai_version", StringType, true),
    });

    public static final Table AUDIT_RUNS = new Table("audit_runs", AUDIT_RUNS_SCHEMA, List.of("run_id"));

    /**
     * What an audit run found, ranked within the run and model (1 = most severe): Clever-Hans
     * candidates (classes whose relevance lies outside the object far more than the other classes'),
     * SpRAy clusters, methods failing the model-randomisation sanity check, metric regressions and
     * error-rate spikes against the previous run, prediction drift between versions; each with its
     * statistic, effect size, 95% confidence interval (where there is one) and the images that show it.
     */
    private static final StructType AUDIT_FINDINGS_SCHEMA = createStructType(new StructField[] {
        createStructField("run_id", StringType, false),
        createStructField("audit", StringType, false),
        createStructField("model", StringType, false),
        createStructField("kind", StringType, false),
        createStructField("subject", StringType, false),
        createStructField("method_spec", StringType, true),
        createStructField("class", IntegerType, true),
        createStructField("statistic", StringType, false),
        createStructField("value", DoubleType, true),
        createStructField("effect_size", DoubleType, true),
        createStructField("ci_low", DoubleType, true),
        createStructField("ci_high", DoubleType, true),
        createStructField("n", LongType, false),
        createStructField("evidence", DataTypes.createArrayType(StringType, false), true),
        createStructField("rank", IntegerType, false),
        createStructField("detail", StringType, true),
        createStructField("found_at", TimestampType, false),
        // the build of the project that wrote the row (Provenance.BUILD: version and commit; null: before the column)
        createStructField("xai_version", StringType, true),
    });

    public static final Table AUDIT_FINDINGS =
            new Table("audit_findings", AUDIT_FINDINGS_SCHEMA, List.of("run_id", "model", "kind", "subject"));

    /**
     * The reference sets of the SHAP family (Expected Gradients, GradientSHAP, DeepLIFT-SHAP): drawn
     * once per seed and size from the images table and kept, so every later run and every model uses
     * the same images (a spec names its set by {@code reference_set}).
     */
    private static final StructType REFERENCE_SETS_SCHEMA = createStructType(new StructField[] {
        createStructField("set_id", StringType, false),
        createStructField("source", StringType, false),
        createStructField("seed", LongType, false),
        createStructField("count", IntegerType, false),
        createStructField("image_ids", DataTypes.createArrayType(StringType, false), false),
        createStructField("drawn_at", TimestampType, false),
    });

    public static final Table REFERENCE_SETS =
            new Table("reference_sets", REFERENCE_SETS_SCHEMA, List.of("source", "seed", "count"));

    /**
     * What units of a network respond to: per model, layer, unit and visualisation configuration, the
     * image that activation maximisation found (PNG at the model's input size), the unit's activation
     * on it and its trace over the ascent's steps.
     */
    private static final StructType UNIT_VISUALISATIONS_SCHEMA = createStructType(new StructField[] {
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("weights_sha256", StringType, true),
        createStructField("layer", StringType, false),
        createStructField("unit", IntegerType, false),
        createStructField("visualisation", StringType, false),
        createStructField("spec", StringType, false),
        createStructField("params", StringType, false),
        createStructField("params_hash", StringType, false),
        createStructField("image", BinaryType, true),
        createStructField("activation", DoubleType, true),
        createStructField("trace", DataTypes.createArrayType(DoubleType, false), true),
        createStructField("runtime_ms", DoubleType, true),
        createStructField("error", StringType, true),
        createStructField("visualised_at", TimestampType, false),
    });

    public static final Table UNIT_VISUALISATIONS = new Table(
            "unit_visualisations",
            UNIT_VISUALISATIONS_SCHEMA,
            List.of("model_id", "model_version", "layer", "unit", "params_hash"));

    /**
     * Network Dissection of a layer: per unit and concept (a class of the dataset, or -1 for any
     * object), the IoU over the dataset of the unit's thresholded, upsampled activation maps with the
     * concept's ground truth, and the share of the unit's mask inside it.
     */
    private static final StructType UNIT_DISSECTION_SCHEMA = createStructType(new StructField[] {
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("layer", StringType, false),
        createStructField("unit", IntegerType, false),
        createStructField("concept", IntegerType, false),
        createStructField("concept_name", StringType, false),
        createStructField("iou", DoubleType, false),
        createStructField("inside_share", DoubleType, true),
        createStructField("threshold", DoubleType, false),
        createStructField("images", LongType, false),
        createStructField("params", StringType, false),
        createStructField("params_hash", StringType, false),
        createStructField("dissected_at", TimestampType, false),
    });

    public static final Table UNIT_DISSECTION = new Table(
            "unit_dissection",
            UNIT_DISSECTION_SCHEMA,
            List.of("model_id", "model_version", "params_hash", "unit", "concept"));

    /**
     * Monte-Carlo dropout per image and setting (passes, seed): the prediction of the mean
     * probabilities and how uncertain it is; {@code note} says why the values are degenerate (a model
     * without dropout).
     */
    private static final StructType UNCERTAINTY_SCHEMA = createStructType(new StructField[] {
        createStructField("image_id", StringType, false),
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("params", StringType, false),
        createStructField("params_hash", StringType, false),
        createStructField("passes", IntegerType, true),
        createStructField("dropout_layers", IntegerType, true),
        createStructField("predicted_class", IntegerType, true),
        createStructField("mean_prob", DoubleType, true),
        createStructField("prob_std", DoubleType, true),
        createStructField("entropy", DoubleType, true),
        createStructField("expected_entropy", DoubleType, true),
        createStructField("mutual_information", DoubleType, true),
        createStructField("note", StringType, true),
        createStructField("error", StringType, true),
        createStructField("computed_at", TimestampType, false),
    });

    public static final Table UNCERTAINTY = new Table(
            "uncertainty", UNCERTAINTY_SCHEMA, List.of("image_id", "model_id", "model_version", "params_hash"));

    /**
     * Per image, model and setting (top_k): the model's most probable classes, one forward pass
     * ({@code xai predict}); {@code correct} is null for an image without a label.
     */
    private static final StructType PREDICTIONS_SCHEMA = createStructType(new StructField[] {
        createStructField("image_id", StringType, false),
        createStructField("model_id", StringType, false),
        createStructField("model_version", StringType, false),
        createStructField("weights_sha256", StringType, true),
        createStructField("params", StringType, false),
        createStructField("params_hash", StringType, false),
        createStructField("label", IntegerType, true),
        createStructField("top_classes", DataTypes.createArrayType(IntegerType, false), true),
        createStructField("top_probs", DataTypes.createArrayType(DoubleType, false), true),
        createStructField("predicted_class", IntegerType, true),
        createStructField("predicted_prob", DoubleType, true),
        // the first probability less the second
        createStructField("margin", DoubleType, true),
        // of the softmax over every class, in nats
        createStructField("entropy", DoubleType, true),
        createStructField("correct", BooleanType, true),
        createStructField("error", StringType, true),
        createStructField("computed_at", TimestampType, false),
    });

    public static final Table PREDICTIONS = new Table(
            "predictions", PREDICTIONS_SCHEMA, List.of("image_id", "model_id", "model_version", "params_hash"));

    /**
     * Where the rows of {@code table} go when rows of a newer revision of their method or metric
     * replace them (io.xaiscale.jobs.warehouse.Superseded): the same columns and key, plus when they were
     * moved and why. They stay readable there: {@code notebooks-sql/provenance.sql}.
     */
    public static Table superseded(Table table) {
        StructType schema = table.schema()
                .add(createStructField("superseded_at", TimestampType, false))
                .add(createStructField("superseded_because", StringType, false));
        return new Table("superseded_" + table.name(), schema, table.key());
    }

    public static final Table SUPERSEDED_EXPLANATIONS = superseded(EXPLANATIONS);
    public static final Table SUPERSEDED_METRICS = superseded(METRICS);
    public static final Table SUPERSEDED_METHOD_AGREEMENT = superseded(METHOD_AGREEMENT);
    public static final Table SUPERSEDED_MODEL_DRIFT = superseded(MODEL_DRIFT);

    public static final List<Table> ALL = List.of(
            IMAGES,
            INGEST_REJECTS,
            EXPLANATIONS,
            METRICS,
            METHOD_AGREEMENT,
            MODEL_DRIFT,
            AUDIT_RUNS,
            AUDIT_FINDINGS,
            REFERENCE_SETS,
            UNIT_VISUALISATIONS,
            UNIT_DISSECTION,
            UNCERTAINTY,
            PREDICTIONS,
            SUPERSEDED_EXPLANATIONS,
            SUPERSEDED_METRICS,
            SUPERSEDED_METHOD_AGREEMENT,
            SUPERSEDED_MODEL_DRIFT);

    private Tables() {}

    /**
     * The columns a table is clustered by, the ones its readers filter on: liquid clustering from the
     * table's creation (Delta 3.3; OPTIMIZE then clusters incrementally), ZORDER for a table created
     * before (upkeep leaves an existing table's protocol as it is).
     */
    public static final Map<String, List<String>> CLUSTER_BY = Map.of(
            EXPLANATIONS.name(), List.of("model_id", "method"),
            METRICS.name(), List.of("model_id", "metric"),
            METHOD_AGREEMENT.name(), List.of("model_id"),
            MODEL_DRIFT.name(), List.of("model_id"));

    /** The project's table stored at {@code path} (its last segment is the table's name), or null. */
    public static Table at(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String name = p.substring(p.lastIndexOf('/') + 1);
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /** The rows of one model: its id and version (the first columns of every key but the images'). */
    public static Column ofModel(ModelCard card) {
        return col("model_id").equalTo(card.id()).and(col("model_version").equalTo(card.version()));
    }

    /** Path of {@code table} under {@code warehouse} (a local directory or an {@code s3a://} prefix). */
    public static String path(String warehouse, String table) {
        return warehouse.endsWith("/") ? warehouse + table : warehouse + "/" + table;
    }
}
