package io.xaiscale.jobs.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.xaiscale.analysis.Spray;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An audit, as one YAML file versioned with the user's code: the dataset (warehouse, source, manifest,
 * which images), the models, methods, metrics and targets, the gates, and any other option of
 * {@code xai pipeline} under {@code options}. Every field maps to a pipeline option, so the audit
 * checks and runs exactly what {@code pipeline} would, once per model in one Spark application.
 *
 * <pre>
 * name: nightly-fmnist
 * warehouse: s3a://bucket/xai
 * source: s3a://bucket/images
 * manifest: s3a://bucket/images/manifest.csv
 * models: [s3a://bucket/models/cnn-v1, s3a://bucket/models/cnn-v2]
 * methods: [gradient, "integrated_gradients[steps=32]", grad_cam]
 * metrics: [deletion_auc, iou, pointing_game]
 * select: {splits: [test], sample_per_class: 200, seed: 7}
 * gates:
 *   - {gate: error_rate, max: 0.01}
 *   - {gate: metric_change, metric: pointing_game, method: grad_cam, max_worsening: 0.05}
 * spray: {max_maps_per_class: 300}
 * report: s3a://bucket/reports/nightly     # the HTML report after each run (a local folder or a URI)
 * options: {batch-size: 32}
 * </pre>
 */
public record AuditConfig(
        @JsonProperty("name") String name,
        @JsonProperty("warehouse") String warehouse,
        @JsonProperty("source") String source,
        @JsonProperty("manifest") String manifest,
        @JsonProperty("layout") String layout,
        @JsonProperty("split") String split,
        @JsonProperty("models") List<String> models,
        @JsonProperty("methods") List<String> methods,
        @JsonProperty("metrics") List<String> metrics,
        @JsonProperty("targets") List<String> targets,
        @JsonProperty("select") Select select,
        @JsonProperty("gates") List<Gate> gates,
        @JsonProperty("spray") SprayConfig spray,
        @JsonProperty("report") String report,
        @JsonProperty("options") Map<String, Object> options) {

    /**
     * Spectral relevance analysis of the audited maps ({@link SprayFindings}); present (even empty,
     * {@code spray: {}}) to run it. It reads the maps, so a run with it is not free when nothing is new.
     */
    public record SprayConfig(
            @JsonProperty("max_maps_per_class") Integer maxMapsPerClass,
            @JsonProperty("side") Integer side,
            @JsonProperty("neighbours") Integer neighbours,
            @JsonProperty("max_clusters") Integer maxClusters) {
        public static final int DEFAULT_MAX_MAPS = 300;

        public Spray.Settings settings() {
            Spray.Settings d = Spray.Settings.defaults();
            return new Spray.Settings(
                    side == null ? d.side() : side,
                    neighbours == null ? d.neighbours() : neighbours,
                    maxClusters == null ? d.maxClusters() : maxClusters,
                    d.seed());
        }

        public int maxMaps() {
            return maxMapsPerClass == null ? DEFAULT_MAX_MAPS : maxMapsPerClass;
        }
    }

    /** Which images are explained: the pipeline's selection options. */
    public record Select(
            @JsonProperty("splits") List<String> splits,
            @JsonProperty("classes") List<String> classes,
            @JsonProperty("sample_per_class") Integer samplePerClass,
            @JsonProperty("seed") Long seed,
            @JsonProperty("ingested_since") String ingestedSince) {}

    /** A gate: its kind ({@link Gates#KINDS}) and the fields that kind reads. */
    public record Gate(
            @JsonProperty("gate") String gate,
            @JsonProperty("max") Double max,
            @JsonProperty("min") Double min,
            @JsonProperty("metric") String metric,
            @JsonProperty("method") String method,
            @JsonProperty("max_worsening") Double maxWorsening,
            @JsonProperty("max_effect") Double maxEffect) {}

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Reads and checks an audit file's text; {@code file} names it in errors. */
    public static AuditConfig parse(String text, String file) {
        AuditConfig c;
        try {
            c = YAML.readValue(text, AuditConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("Invalid audit config " + file + ": unknown field '"
                    + e.getPropertyName() + "'" + where(e) + " (valid: "
                    + String.join(
                            ", ",
                            e.getKnownPropertyIds().stream()
                                    .map(Object::toString)
                                    .sorted()
                                    .toList())
                    + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid audit config " + file + ": "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (c == null) {
            throw new IllegalArgumentException("Invalid audit config " + file + ": empty");
        }
        List<String> problems = new ArrayList<>();
        if (c.name() == null || !c.name().matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            problems.add("field 'name' must be a name of letters, digits, '.', '_' or '-' (got " + c.name() + ")");
        }
        if (c.models() == null || c.models().isEmpty()) {
            problems.add("field 'models' needs at least one model directory");
        }
        if (c.gates() != null) {
            for (int i = 0; i < c.gates().size(); i++) {
                String p = Gates.problem(c.gates().get(i));
                if (p != null) {
                    problems.add("gates[" + i + "]: " + p);
                }
            }
        }
        if (c.spray() != null) {
            try {
                c.spray().settings();
                if (c.spray().maxMaps() < SprayFindings.MIN_MAPS || c.spray().maxMaps() > 5000) {
                    problems.add("spray.max_maps_per_class must be in [" + SprayFindings.MIN_MAPS + ", 5000] (got "
                            + c.spray().maxMaps() + ")");
                }
            } catch (IllegalArgumentException e) {
                problems.add("spray: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid audit config " + file + ": " + String.join("; ", problems));
        }
        return c;
    }

    /**
     * This config with its relative local paths (warehouse, source, manifest, models, report) taken from
     * {@code dir}, the folder of the YAML file, as a user reading the file expects; absolute paths
     * and URIs ({@code s3a://...}) stay as written.
     */
    public AuditConfig relativeTo(Path dir) {
        UnaryOperator<String> at =
                p -> p == null || p.isBlank() || p.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") || p.startsWith("/")
                        ? p
                        : dir.resolve(p).normalize().toString();
        return new AuditConfig(
                name,
                at.apply(warehouse),
                at.apply(source),
                at.apply(manifest),
                layout,
                split,
                models == null ? null : models.stream().map(at).toList(),
                methods,
                metrics,
                targets,
                select,
                gates,
                spray,
                at.apply(report),
                options);
    }

    private static String where(UnrecognizedPropertyException e) {
        String path = e.getPath().stream()
                .limit(Math.max(0, e.getPath().size() - 1))
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                .orElse("");
        return path.isEmpty() ? "" : " in '" + path + "'";
    }

    public String sha256() {
        try {
            return Hashing.sha256Hex(new ObjectMapper().writeValueAsString(this));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The arguments of {@code xai pipeline} for model {@code model}: the first model's run ingests
     * ({@code ingest}), the others only explain and evaluate. {@code options} come last and win.
     */
    public List<String> pipelineArgs(String model, boolean ingest) {
        return pipelineArgs(model, ingest, methods);
    }

    /** {@link #pipelineArgs(String, boolean)} with these of the audit's methods (those that run on the model). */
    public List<String> pipelineArgs(String model, boolean ingest, List<String> methods) {
        Map<String, String> a = new LinkedHashMap<>();
        put(a, "warehouse", warehouse);
        put(a, "source", ingest ? source : null);
        put(a, "manifest", ingest ? manifest : null);
        put(a, "layout", layout);
        put(a, "split", split);
        put(a, "model", model);
        put(a, "methods", join(methods));
        put(a, "metrics", join(metrics));
        put(a, "target", join(targets));
        if (select != null) {
            put(a, "splits", join(select.splits()));
            put(a, "classes", join(select.classes()));
            put(
                    a,
                    "sample-per-class",
                    select.samplePerClass() == null
                            ? null
                            : select.samplePerClass().toString());
            put(a, "sample-seed", select.seed() == null ? null : select.seed().toString());
            put(a, "ingested-since", select.ingestedSince());
        }
        if (options != null) {
            options.forEach((k, v) -> put(a, k, v == null ? null : v.toString()));
        }
        List<String> args = new ArrayList<>();
        a.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        return args;
    }

    private static void put(Map<String, String> a, String key, String value) {
        if (value != null) {
            a.put(key, value);
        }
    }

    private static String join(List<String> values) {
        return values == null || values.isEmpty() ? null : String.join(",", values);
    }
}
