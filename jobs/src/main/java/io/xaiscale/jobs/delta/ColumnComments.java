package io.xaiscale.jobs.delta;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The comment of every column of every table, as {@code DESCRIBE TABLE} shows it (Delta keeps it in the
 * schema when the table is created, and {@code xai maintain} sets it on tables written before): a meaning
 * per column name, and per {@code table.column} where one name means another thing in another table.
 * {@code TablesTest} fails on a column without one, so a new column comes with its comment.
 */
final class ColumnComments {
    private ColumnComments() {}

    private static final Map<String, String> BY_NAME = new HashMap<>();
    private static final Map<String, String> BY_TABLE = new HashMap<>();

    private static void name(String column, String comment) {
        BY_NAME.put(column, comment);
    }

    private static void in(String table, String column, String comment) {
        BY_TABLE.put(table + "." + column, comment);
    }

    static {
        // keys and identity
        name("image_id", "SHA-256 of the image file's bytes: the image's key in every table");
        name("model_id", "the model card's id");
        name("model_version", "the model card's version (one id@version names one set of weights)");
        name("weights_sha256", "SHA-256 of the weights file the rows were computed with");
        name("card_sha256", "SHA-256 of the model card the rows were computed with");
        name("method", "the explanation method's registry name, e.g. integrated_gradients");
        name("method_spec", "the method's canonical spec: name and every parameter, defaults included");
        name("params", "every parameter of the row's configuration, as sorted JSON");
        name("params_hash", "hash of the configuration's name, parameters (and revision from 2 on): the rows' key");
        name("method_revision", "the method implementation's revision (null: 1); a fix raises it and recomputes");
        name("metric_revision", "the metric implementation's revision (null: 1); a fix raises it and recomputes");
        name("xai_version", "the build of xaiscale that wrote the row: version (commit)");
        name("error", "why the row has no value (null: none); a row with an error is retried by --retry-errors");
        name("runtime_ms", "in-task compute time per item, in milliseconds");
        // images
        name("source_uri", "where the file was read: path or URI");
        name("content", "the file's bytes as read (null for a file over the pixel limit)");
        name("format", "the decoded format, e.g. png, jpeg");
        name("width", "width of the upright image in pixels");
        name("height", "height of the upright image in pixels");
        name("channels", "colour channels of the decoded image");
        name("label_name", "the class name of the label");
        name("bbox", "the first object's box, half-open [x0, x1) x [y0, y1) in the upright image's pixels");
        name("split", "the dataset split, e.g. train or test");
        name("ingested_at", "when the row was written");
        name("boxes", "every object's box and class, in the upright image's pixels");
        name("segmentation", "PNG label map at the image's size: v > 0 is class v - 1, 0 background, 255 void");
        name("ground_truth_hash", "SHA-256 of the label, boxes and segmentation: a corrected annotation changes it");
        name("orientation", "the EXIF orientation (1..8) the file states");
        name("source_size", "the file's size when read: an unchanged file is not read again");
        name("source_modified", "the file's modification time when read");
        name("source_entry_hash", "hash of the manifest values of the file when read");
        name("retired_at", "when an ingest of the source no longer found the file (null: present)");
        // explanations
        name("target_rule", "how the explained class was chosen: predicted, label, class_N, rank_N");
        name("target_class", "the class explained");
        name("predicted_class", "the model's predicted class");
        name("predicted_prob", "the softmax probability of the predicted class");
        name("map_height", "rows of the stored map");
        name("map_width", "columns of the stored map");
        name("map", "the saliency map, little-endian, row-major map_height x map_width, as map_dtype says");
        name("explained_at", "when the map was computed");
        name("signature", "the map's top quarter of an 8x8 grid, as the bits of a long (consistency.sql)");
        name("map_dtype", "how map is stored: float32 (null), float16 or bfloat16");
        name("input_height", "the model's input height (larger than map_height for a map at its layer's resolution)");
        name("input_width", "the model's input width (larger than map_width for a map at its layer's resolution)");
        // metrics
        name("metric", "the metric's output name, e.g. deletion_auc or robustness_ssim");
        name("metric_params", "every parameter of the metric, as sorted JSON");
        name("metric_params_hash", "hash of the metric's name, parameters (and revision from 2 on)");
        name("higher_is_better", "whether higher values of the metric are better");
        name("evaluated_at", "when the value was computed");
        name("ground_truth", "what a value was scored against, e.g. boxes of class 3 (2)");
        name("curve", "the curve the value is read off: the target score at each step");
        // pairs of maps
        name("params_hash_a", "params_hash of the first configuration (a < b)");
        name("params_hash_b", "params_hash of the second configuration");
        name("method_a", "the first configuration's method");
        name("method_b", "the second configuration's method");
        name("method_spec_a", "the first configuration's spec");
        name("method_spec_b", "the second configuration's spec");
        name("relevance", "how the maps were compared: absolute or signed values");
        name("pearson", "Pearson correlation of the two maps");
        name("spearman", "Spearman rank correlation of the two maps");
        name("ssim", "structural similarity of the two maps");
        name("l1_similarity", "1 minus half the L1 distance of the maps normalised to sum 1");
        name("kl_divergence", "KL divergence of the maps normalised to distributions");
        name("auc_a", "deletion AUC of the first map");
        name("auc_b", "deletion AUC of the second map");
        name("computed_at", "when the row was computed");
        name("version_a", "the earlier model version");
        name("version_b", "the later model version");
        name("target_class_a", "the class explained under version_a");
        name("target_class_b", "the class explained under version_b");
        name("predicted_a", "the class predicted by version_a");
        name("predicted_b", "the class predicted by version_b");
        name("prediction_changed", "whether the two versions predict different classes");
        name("top_iou", "IoU of the two maps' top 10% pixels");
        // ingest rejects
        name("input", "the input that made no image row: a path, or manifest and line");
        name("kind", "file or manifest_row");
        name("path", "the file's path");
        name("line", "the manifest line");
        name("reason", "why it made no image row, e.g. not_an_image, duplicate");
        name("detail", "more on the reason");
        name("source", "the ingest's source folder or URI");
        name("rejected_at", "when it was rejected");
        // audits
        name("run_id", "the audit run's id (every Delta commit of the run carries it as userMetadata)");
        name("audit", "the audit config's name");
        name("config", "the audit config as given, credentials masked");
        name("config_sha256", "SHA-256 of the audit config");
        name("status", "running, succeeded, gated or failed");
        name("started_at", "when the run started");
        name("ended_at", "when the run ended");
        name("spark_app_id", "the Spark application of the run");
        name("selection", "which images the run selected");
        name("images_version", "the version of the images table the run read");
        name("images_selected", "how many images the run selected");
        name("bytes_read", "bytes the executors read from storage");
        name("checked_rows", "explanation and metric rows of the selected images");
        name("error_rows", "those rows with an error");
        name("inputs_sha256", "hash of everything the results depend on: a run with the same hash reuses them");
        name("reused_run", "the run whose results this one took (null: computed)");
        name("models", "the models of the run: id, version, weights");
        name("stages", "each stage of the run: model, stage, pending, inserted, seconds");
        name("means", "each model, method and metric's mean over the selected images");
        name("gates", "each gate's outcome: name, passed, value, threshold, detail");
        name("model", "the model (id@version) the finding is about");
        name("subject", "what the finding is about, e.g. a class and a method");
        name("class", "the class the finding is about");
        name("statistic", "what value measures");
        name("effect_size", "how far the subject is from the rest");
        name("ci_low", "lower end of the 95% confidence interval");
        name("ci_high", "upper end of the 95% confidence interval");
        name("n", "how many values the statistic is over");
        name("evidence", "the images that show it most");
        name("rank", "1 = the most severe finding of the run and model");
        name("found_at", "when it was found");
        // reference sets
        name("set_id", "the reference set's id, which specs name as reference_set=");
        name("seed", "the seed it was drawn with");
        name("count", "how many images it holds");
        name("image_ids", "the images of the set");
        name("drawn_at", "when it was drawn");
        // internals
        name("layer", "the model's layer");
        name("unit", "the unit (channel) of the layer");
        name("visualisation", "the visualisation method");
        name("spec", "the visualisation's canonical spec");
        name("image", "PNG at the model's input size");
        name("activation", "the unit's activation on the image");
        name("trace", "the objective at each step");
        name("visualised_at", "when it was computed");
        name("concept", "the class (-1: any object)");
        name("concept_name", "the class's name");
        name("inside_share", "share of the unit's thresholded map inside the objects");
        name("threshold", "the activation threshold");
        name("images", "how many images the statistic is over");
        name("dissected_at", "when it was computed");
        name("passes", "Monte-Carlo dropout passes");
        name("dropout_layers", "the dropout layers kept active");
        name("mean_prob", "mean probability of the predicted class over the passes");
        name("prob_std", "standard deviation of that probability over the passes");
        name("entropy", "entropy of the predictive distribution");
        name("expected_entropy", "mean entropy of the passes");
        name("mutual_information", "entropy minus expected entropy: the model's uncertainty");
        name("note", "a remark on the row, e.g. no dropout layer");
        name("top_classes", "the k most probable classes");
        name("top_probs", "their probabilities");
        name("margin", "probability of the first class minus the second's");
        name("correct", "whether the predicted class is the label (null: no label)");

        // where a name means something else
        in("images", "label", "the image's class (from the manifest or the layout)");
        in("images", "error", "why the file cannot be used (null: usable)");
        in("predictions", "label", "the image's class");
        in("metrics", "value", "the metric's value (null: not applicable or an error, see error)");
        in("audit_findings", "value", "the statistic's value");
        in("audit_findings", "kind", "clever_hans, spray_cluster, sanity_failure, metric_regression, ...");
        in("unit_dissection", "iou", "dataset IoU of the unit's thresholded maps with the ground truth");
        in("unit_dissection", "params", "the dissection's parameters, as sorted JSON");
        in("reference_sets", "source", "the images the set was drawn from");
        in("uncertainty", "predicted_class", "the class of the highest mean probability");
        in("audit_runs", "error", "why the run failed (null: it did not)");
        in("audit_findings", "detail", "more on the finding");
    }

    private static final Map<String, String> TABLES = Map.ofEntries(
            Map.entry("images", "one row per image: its bytes, size, ground truth and where it was read"),
            Map.entry("ingest_rejects", "every input of an ingest that made no image row, and why"),
            Map.entry("explanations", "one saliency map per image, model and method configuration (and target)"),
            Map.entry("metrics", "one value per explanation and metric output"),
            Map.entry("method_agreement", "how alike the maps of two method configurations are, per image"),
            Map.entry("model_drift", "how an image's map moved between two versions of a model"),
            Map.entry("audit_runs", "the ledger of xai audit: one row per run"),
            Map.entry("audit_findings", "what each audit run found, ranked"),
            Map.entry("reference_sets", "the baselines of the SHAP family, drawn once per seed and size"),
            Map.entry("unit_visualisations", "what each unit of a layer responds to (xai visualise)"),
            Map.entry("unit_dissection", "per unit and class, the dataset IoU of the unit's maps with the objects"),
            Map.entry("uncertainty", "Monte-Carlo dropout per image (xai uncertainty)"),
            Map.entry("predictions", "the model's top-k classes per image (xai predict)"));

    /** What {@code table} holds and its key: the table's comment. */
    static String table(Table table) {
        String name = table.name();
        String d = name.startsWith("superseded_")
                ? "rows of " + name.substring("superseded_".length())
                        + " that a newer revision of their method or metric replaced"
                : TABLES.get(name);
        return d == null ? null : "xaiscale: " + d + " (key: " + String.join(", ", table.key()) + ")";
    }

    /** The comment of {@code column} of {@code table}. */
    static String of(String table, String column) {
        String c = BY_TABLE.get(table + "." + column);
        if (c != null) {
            return c;
        }
        if (table.startsWith("superseded_") && column.equals("superseded_at")) {
            return "when the row was moved here";
        }
        if (table.startsWith("superseded_") && column.equals("superseded_because")) {
            return "why: the newer revision that replaced it";
        }
        c = BY_TABLE.get(table.replaceFirst("^superseded_", "") + "." + column);
        return c != null ? c : BY_NAME.get(column);
    }

    /** {@code schema} with every field's comment (a field without one keeps none: {@code TablesTest} fails). */
    static StructType commented(String table, StructType schema) {
        List<StructField> out = new ArrayList<>();
        for (StructField f : schema.fields()) {
            String c = of(table, f.name());
            out.add(c == null ? f : f.withComment(c));
        }
        return new StructType(out.toArray(new StructField[0]));
    }
}
