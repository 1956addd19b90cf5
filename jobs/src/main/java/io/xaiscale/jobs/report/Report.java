package io.xaiscale.jobs.report;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.jobs.OverlayJob;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.spark.SqlRunner;
import io.xaiscale.metric.Metrics;
import io.xaiscale.metric.similarity.Similarity;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A self-contained HTML report of a warehouse, from its Delta tables alone: {@code index.html}
 * (overview and findings), {@code leaderboard.html}, {@code classes.html}, {@code methods.html},
 * {@code versions.html}, {@code worst.html}, with ECharts (copied from its WebJar into
 * {@code assets/}), one CSV per chart or table in {@code data/} and the notebooks that computed them
 * in {@code sql/}. Opening it makes no network request. Every number comes from a statement of a
 * notebook in {@code notebooks-sql/} (aggregated by Spark, so the report's size does not grow with
 * the tables); images are drawn only for galleries (at most {@code gallery} per finding or metric),
 * for the models whose card is given.
 */
public final class Report {
    public static final List<String> PAGES =
            List.of("index.html", "leaderboard.html", "classes.html", "methods.html", "versions.html", "worst.html");

    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    static final int MAX_CLASSES = 30;

    /** Where to read and write, the cards of the models to draw, and images per gallery. */
    public record Settings(String warehouse, Path out, List<ModelCard> cards, int gallery) {}

    private final SparkSession spark;
    private final Settings s;
    private final Map<String, ModelCard> cards = new LinkedHashMap<>();
    private final List<String> notebooks = new ArrayList<>();
    private int csvs;

    private Report(SparkSession spark, Settings s) {
        this.spark = spark;
        this.s = s;
        s.cards().forEach(c -> cards.put(c.key(), c));
    }

    /** Writes the report; returns its pages. */
    public static List<Path> write(SparkSession spark, Settings s) throws IOException {
        return new Report(spark, s).write();
    }

    private List<Path> write() throws IOException {
        List<String> tables = SqlRunner.registerViews(spark, s.warehouse());
        if (!tables.contains(Tables.EXPLANATIONS.name())) {
            throw new IllegalArgumentException("No explanations table in " + s.warehouse()
                    + ": run explain (or pipeline, or audit) on this warehouse first");
        }
        for (String d : List.of("data", "sql", "img")) {
            Files.createDirectories(s.out().resolve(d));
        }
        assets(s.out());
        List<Page> pages = List.of(overview(tables), leaderboard(), classes(), methods(), versions(), worst());
        List<Path> out = new ArrayList<>();
        for (Page p : pages) {
            out.add(render(p, pages, s.warehouse(), s.out()));
        }
        for (String n : notebooks) {
            Files.writeString(s.out().resolve("sql").resolve(n), Query.text(n));
        }
        return out;
    }

    /** Writes page {@code p} (with the navigation of {@code pages}) into {@code out}. */
    static Path render(Page p, List<Page> pages, String warehouse, Path out) throws IOException {
        List<Map<String, Object>> nav = new ArrayList<>();
        for (Page q : pages) {
            nav.add(Charts.map("file", q.file, "title", q.title, "current", q == p));
        }
        Map<String, Object> model = Charts.map(
                "title",
                p.title,
                "intro",
                p.intro,
                "sections",
                p.sections,
                "nav",
                nav,
                "warehouse",
                warehouse,
                "generated",
                Instant.now().toString());
        Path file = out.resolve(p.file);
        Files.writeString(file, Html.render("page.ftlh", model));
        return file;
    }

    /** The script and style every page loads, into {@code out/assets}. */
    static void assets(Path out) throws IOException {
        Files.createDirectories(out.resolve("assets"));
        copy(ECHARTS, out.resolve("assets/echarts.min.js"));
        copy("/report/report.css", out.resolve("assets/report.css"));
        copy("/report/report.js", out.resolve("assets/report.js"));
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = Report.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Runs a notebook statement, keeps the notebook for the report's {@code sql/} folder. */
    private Query.Result run(String file, int statement) {
        if (!notebooks.contains(file)) {
            notebooks.add(file);
        }
        return new Query(file, statement).run(spark);
    }

    /** Writes rows as a CSV in {@code data/}; returns its link. */
    private String csv(String name, Query.Result r) throws IOException {
        String file = String.format(Locale.ROOT, "data/%02d-%s.csv", ++csvs, io.xaiscale.util.FileNames.safe(name));
        Files.writeString(s.out().resolve(file), r.csv(), StandardCharsets.UTF_8);
        return file;
    }

    /** ", not applicable: k" (k per method where they differ) when the metric did not apply to some maps. */
    private static String notApplicable(Query.Result lb, List<Row> rows) {
        List<String> k = rows.stream()
                .map(r -> lb.string(r, "not_applicable"))
                .filter(v -> v != null && !v.equals("0"))
                .distinct()
                .toList();
        return k.isEmpty() ? "" : ", not applicable: " + String.join("/", k);
    }

    private static List<List<String>> cells(Query.Result r, List<String> columns) {
        List<List<String>> out = new ArrayList<>();
        for (Row row : r.rows()) {
            List<String> c = new ArrayList<>();
            for (String col : columns) {
                String v = r.string(row, col);
                c.add(v == null ? "" : v);
            }
            out.add(c);
        }
        return out;
    }

    // ---------------------------------------------------------------- overview and findings

    private Page overview(List<String> tables) throws IOException {
        Page p = new Page(
                "index.html",
                "Overview",
                "What was audited, with which models, what failed, and what the audits found by themselves.");
        Page.Section data = p.section("dataset", "Dataset and models", null);
        Dataset<Row> images = DeltaIO.readOrEmpty(spark, s.warehouse(), Tables.IMAGES);
        Row counts = images.agg(
                        org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
                        org.apache.spark.sql.functions.countDistinct(col("label")),
                        org.apache.spark.sql.functions.count(col("error")))
                .first();
        data.fact("warehouse", s.warehouse())
                .fact("images", counts.getLong(0))
                .fact("classes (labels)", counts.getLong(1))
                .fact("images that could not be read", counts.getLong(2));
        for (Row r : images.groupBy("split").count().orderBy("split").collectAsList()) {
            data.fact("split " + (r.isNullAt(0) ? "(none)" : r.getString(0)), r.getLong(1));
        }
        Query.Result models = run("cost_and_quality.sql", 0);
        Dataset<Row> expl = DeltaIO.read(spark, s.warehouse(), Tables.EXPLANATIONS);
        List<List<String>> modelRows = new ArrayList<>();
        for (Row r : expl.groupBy("model_id", "model_version", "weights_sha256")
                .agg(
                        org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
                        org.apache.spark.sql.functions.countDistinct(col("params_hash")))
                .orderBy("model_id", "model_version")
                .collectAsList()) {
            modelRows.add(List.of(
                    r.getString(0),
                    r.getString(1),
                    r.isNullAt(2)
                            ? ""
                            : r.getString(2)
                                    .substring(0, Math.min(16, r.getString(2).length())),
                    String.valueOf(r.getLong(3)),
                    String.valueOf(r.getLong(4))));
        }
        data.table(
                "Models",
                List.of("model", "version", "weights sha256 (first 16)", "explanations", "method configurations"),
                modelRows,
                null,
                null);
        if (models.rows().isEmpty()) {
            data.fact("metrics", "none yet: run evaluate");
        }

        Query.Result errors = run("errors.sql", 0);
        Map<String, Long> causes = new TreeMap<>();
        for (Row r : errors.rows()) {
            String e = errors.string(r, "error");
            String cause = e == null ? "(none)" : e.replaceAll("[0-9a-f]{16,}", "…");
            cause = cause.length() > 90 ? cause.substring(0, 90) + "…" : cause;
            causes.merge(errors.string(r, "table_name") + "\u0000" + cause, 1L, Long::sum);
        }
        List<List<String>> causeRows = new ArrayList<>();
        causes.forEach((k, n) -> causeRows.add(List.of(k.split("\u0000")[0], k.split("\u0000")[1], String.valueOf(n))));
        p.section(
                        "errors",
                        "Errors by cause",
                        "Rows that carry an error, grouped by table and message (every row in the CSV).")
                .table("Errors", List.of("table", "cause", "rows"), causeRows, csv("errors", errors), errors.query());

        if (tables.contains(Tables.AUDIT_RUNS.name())) {
            Page.Section runs = p.section("runs", "Audit runs", "The last run of each audit and its gates.");
            for (Row r : spark.table(Tables.AUDIT_RUNS.name())
                    .orderBy(col("started_at").desc())
                    .dropDuplicates("audit")
                    .orderBy("audit")
                    .collectAsList()) {
                runs.fact(
                        "audit " + r.getAs("audit"),
                        r.getAs("run_id") + ": " + r.getAs("status") + ", started " + r.getAs("started_at")
                                + (r.getAs("images_selected") == null
                                        ? ""
                                        : ", " + r.getAs("images_selected") + " image(s)"));
                List<Row> gates = r.isNullAt(r.fieldIndex("gates")) ? List.of() : r.getList(r.fieldIndex("gates"));
                List<List<String>> gateRows = new ArrayList<>();
                for (Row g : gates) {
                    gateRows.add(List.of(
                            g.getString(0),
                            g.getBoolean(1) ? "passed" : "FAILED",
                            g.isNullAt(2) ? "" : String.format(Locale.ROOT, "%.4f", g.getDouble(2)),
                            g.isNullAt(3) ? "" : String.format(Locale.ROOT, "%.4f", g.getDouble(3)),
                            g.isNullAt(4) ? "" : g.getString(4)));
                }
                if (!gateRows.isEmpty()) {
                    runs.table(
                            "Gates of " + r.getAs("audit"),
                            List.of("gate", "outcome", "value", "threshold", "detail"),
                            gateRows,
                            null,
                            null);
                }
            }
        }
        if (tables.contains(Tables.AUDIT_FINDINGS.name())) {
            Query.Result f = run("findings.sql", 0);
            Page.Section found = p.section(
                    "findings",
                    "Findings",
                    "What each audit's latest run found by itself, most severe first (README, \"Scheduled audits\").");
            found.table(
                    "Findings",
                    List.of(
                            "audit",
                            "model",
                            "rank",
                            "kind",
                            "subject",
                            "value",
                            "effect_size",
                            "ci_low",
                            "ci_high",
                            "n"),
                    cells(
                            f,
                            List.of(
                                    "audit",
                                    "model",
                                    "rank",
                                    "kind",
                                    "subject",
                                    "value",
                                    "effect_size",
                                    "ci_low",
                                    "ci_high",
                                    "n")),
                    csv("findings", f),
                    f.query());
            // the evidence of the first three findings of each kind per model and audit
            Map<String, Integer> shown = new LinkedHashMap<>();
            for (Row r : f.rows()) {
                String evidence = f.string(r, "evidence");
                String kind = f.string(r, "audit") + " " + f.string(r, "model") + " " + f.string(r, "kind");
                if (evidence == null || evidence.isBlank() || shown.merge(kind, 1, Integer::sum) > 3) {
                    continue;
                }
                found.gallery(
                        f.string(r, "kind") + ": " + f.string(r, "subject"),
                        f.string(r, "detail"),
                        images(f.string(r, "model"), List.of(evidence.split(" "))));
            }
        }
        return p;
    }

    /**
     * Overlay grids of {@code ids} for {@code model} (a model key), drawn once per image on the
     * original image, signed maps on the diverging scale and non-negative (CAM-style) ones as jet of
     * their magnitude; a note when the model's card was not given.
     */
    private List<Map<String, Object>> images(String model, List<String> ids) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        ModelCard card = cards.get(model);
        List<String> chosen = ids.subList(0, Math.min(s.gallery(), ids.size()));
        if (card == null) {
            for (String id : chosen) {
                out.add(Charts.map(
                        "src",
                        "",
                        "caption",
                        id.substring(0, Math.min(16, id.length())) + " (give --model with the card of " + model
                                + " to draw it)"));
            }
            return out;
        }
        Path dir = s.out().resolve("img").resolve(io.xaiscale.util.FileNames.safe(model));
        List<String> missing = new ArrayList<>();
        for (String id : chosen) {
            if (!Files.exists(dir.resolve(id.substring(0, 16) + ".png"))) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            Dataset<Row> expl = DeltaIO.read(spark, s.warehouse(), Tables.EXPLANATIONS)
                    .where(Tables.ofModel(card)
                            .and(col("error").isNull())
                            .and(col("target_rule").equalTo("predicted"))
                            .and(col("image_id").isin(missing.toArray())));
            OverlayJob.draw(spark, s.warehouse(), card, expl, dir, 2, Overlay.Colors.AUTO, Overlay.View.ORIGINAL);
        }
        for (String id : chosen) {
            Path f = dir.resolve(id.substring(0, 16) + ".png");
            out.add(Charts.map(
                    "src",
                    Files.exists(f) ? s.out().relativize(f).toString().replace('\\', '/') : "",
                    "caption",
                    id.substring(0, 16)));
        }
        return out;
    }

    // ---------------------------------------------------------------- leaderboard

    private Page leaderboard() throws IOException {
        Page p = new Page(
                "leaderboard.html",
                "Leaderboard",
                "Every metric by method configuration with its 95% interval, the ranks, the median rank per metric"
                        + " family (single metrics disagree: LATEC ranks by family), and how far the metrics agree on the"
                        + " order of the methods.");
        Query.Result lb = run("leaderboard.sql", 1);
        String lbCsv = csv("leaderboard", lb);
        Map<String, List<Row>> byGroup = group(lb, r -> model(lb, r) + " | target " + lb.string(r, "target"));
        int chart = 0;
        for (var g : byGroup.entrySet()) {
            Page.Section sec = p.section("lb-" + chart, g.getKey(), null);
            // metric label: the metric, with its params when the metric has several configurations
            Map<String, TreeSet<String>> paramsOf = new TreeMap<>();
            for (Row r : g.getValue()) {
                paramsOf.computeIfAbsent(lb.string(r, "metric"), k -> new TreeSet<>())
                        .add(lb.string(r, "metric_params"));
            }
            Map<String, Map<String, Row>> byMetric = new TreeMap<>();
            LinkedHashSet<String> methods = new LinkedHashSet<>();
            for (Row r : g.getValue()) {
                String metric = lb.string(r, "metric");
                String label = paramsOf.get(metric).size() > 1 ? metric + " " + lb.string(r, "metric_params") : metric;
                byMetric.computeIfAbsent(label, k -> new LinkedHashMap<>()).put(lb.string(r, "method_spec"), r);
                methods.add(lb.string(r, "method_spec"));
            }
            List<String> methodList = new ArrayList<>(new TreeSet<>(methods));
            // ranks table with the family medians
            List<String> metricList = new ArrayList<>(byMetric.keySet());
            Map<String, List<String>> families = new TreeMap<>();
            for (String m : metricList) {
                families.computeIfAbsent(Metrics.family(m.split(" ")[0]), k -> new ArrayList<>())
                        .add(m);
            }
            List<String> columns = new ArrayList<>(List.of("method"));
            columns.addAll(metricList);
            families.keySet().forEach(f -> columns.add(f + " (median rank)"));
            List<List<String>> rankRows = new ArrayList<>();
            for (String method : methodList) {
                List<String> row = new ArrayList<>(List.of(method));
                for (String m : metricList) {
                    Row r = byMetric.get(m).get(method);
                    row.add(r == null ? "" : lb.string(r, "rank"));
                }
                for (var f : families.entrySet()) {
                    List<Double> ranks = new ArrayList<>();
                    for (String m : f.getValue()) {
                        Row r = byMetric.get(m).get(method);
                        if (r != null) {
                            ranks.add(lb.number(r, "rank"));
                        }
                    }
                    row.add(ranks.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f", median(ranks)));
                }
                rankRows.add(row);
            }
            sec.table("Ranks (1 = best)", columns, rankRows, lbCsv, lb.query());
            for (String m : metricList) {
                List<Row> rows = new ArrayList<>(byMetric.get(m).values());
                rows.sort(java.util.Comparator.comparingDouble(r -> lb.number(r, "rank")));
                List<String> names =
                        rows.stream().map(r -> lb.string(r, "method_spec")).toList();
                List<double[]> v = new ArrayList<>();
                for (Row r : rows) {
                    double mean = lb.number(r, "mean");
                    Double lo = lb.number(r, "ci95_low");
                    Double hi = lb.number(r, "ci95_high");
                    v.add(new double[] {lo == null ? mean : lo, mean, hi == null ? mean : hi});
                }
                sec.chart(
                        "c" + (++chart),
                        m,
                        "best first; n = "
                                + rows.stream()
                                        .map(r -> lb.string(r, "n"))
                                        .distinct()
                                        .reduce((a, b) -> a + "/" + b)
                                        .orElse("")
                                + notApplicable(lb, rows),
                        Charts.intervals(names, v, m),
                        names.size() > 6 ? 420 : 320,
                        lbCsv,
                        lb.query());
            }
            if (metricList.size() > 1) {
                Double[][] agree = new Double[metricList.size()][metricList.size()];
                for (int a = 0; a < metricList.size(); a++) {
                    for (int b = 0; b < metricList.size(); b++) {
                        agree[a][b] =
                                rankAgreement(byMetric.get(metricList.get(a)), byMetric.get(metricList.get(b)), lb);
                    }
                }
                sec.chart(
                        "c" + (++chart),
                        "Rank agreement between metrics",
                        "Spearman correlation of the methods' means between two metrics, in each metric's better"
                                + " direction (1: the same order; below 0: they disagree)",
                        Charts.heatmap(metricList, metricList, agree, -1, 1, "Spearman"),
                        Math.max(320, 40 * metricList.size() + 160),
                        lbCsv,
                        lb.query());
            }
        }
        if (byGroup.isEmpty()) {
            p.section("none", "No metric values yet", "Run evaluate (or pipeline, or audit) on this warehouse.");
        }
        return p;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Spearman of the ranks two metrics give the methods they share (null below 3 methods). */
    private static Double rankAgreement(Map<String, Row> a, Map<String, Row> b, Query.Result lb) {
        List<String> common =
                a.keySet().stream().filter(b::containsKey).sorted().toList();
        if (common.size() < 3) {
            return null;
        }
        float[] x = new float[common.size()];
        float[] y = new float[common.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = -lb.number(a.get(common.get(i)), "rank").floatValue();
            y[i] = -lb.number(b.get(common.get(i)), "rank").floatValue();
        }
        return Math.round(Similarity.spearman(x, y) * 1000) / 1000.0;
    }

    // ---------------------------------------------------------------- classes

    private Page classes() throws IOException {
        Page p = new Page(
                "classes.html",
                "Classes",
                "Where each class's relevance lies: the share outside the object (1 - relevance_mass) per class and"
                        + " method, the classes with the largest share first (at most " + MAX_CLASSES
                        + "; all in the CSV)."
                        + " A class far above the others is a Clever-Hans candidate (see the findings on the overview).");
        Query.Result r = run("outside_share.sql", 0);
        String file = csv("outside-share", r);
        Map<String, List<Row>> groups =
                group(r, row -> model(r, row) + " | relevance_mass " + r.string(row, "metric_params"));
        int chart = 0;
        for (var g : groups.entrySet()) {
            Map<String, Double> worst = new LinkedHashMap<>();
            TreeSet<String> methods = new TreeSet<>();
            for (Row row : g.getValue()) {
                worst.merge(r.string(row, "class"), r.number(row, "outside_share"), Math::max);
                methods.add(r.string(row, "method_spec"));
            }
            List<String> classes = worst.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(MAX_CLASSES)
                    .map(Map.Entry::getKey)
                    .toList();
            List<String> methodList = new ArrayList<>(methods);
            Double[][] v = new Double[classes.size()][methodList.size()];
            for (Row row : g.getValue()) {
                int y = classes.indexOf(r.string(row, "class"));
                if (y >= 0) {
                    v[y][methodList.indexOf(r.string(row, "method_spec"))] = r.number(row, "outside_share");
                }
            }
            p.section("cls-" + chart, g.getKey(), null)
                    .chart(
                            "k" + (++chart),
                            "Share of relevance outside the object",
                            "per class (rows) and method (columns)",
                            Charts.heatmap(methodList, classes, v, 0, 1, "outside share"),
                            Math.max(320, 22 * classes.size() + 200),
                            file,
                            r.query());
        }
        if (groups.isEmpty()) {
            p.section(
                    "none",
                    "No relevance_mass values",
                    "Add relevance_mass to the metrics (labelled images with boxes).");
        }
        cleverHans(p);
        return p;
    }

    /** The Clever-Hans findings of each audit's latest run with their evidence drawn (none before any audit). */
    private void cleverHans(Page p) throws IOException {
        Query.Result f = run("findings.sql", 0);
        List<Row> hans = f.rows().stream()
                .filter(x -> "clever_hans".equals(f.string(x, "kind")))
                .limit(6)
                .toList();
        if (!hans.isEmpty()) {
            Page.Section sec = p.section(
                    "clever-hans",
                    "Clever-Hans findings",
                    "Classes whose relevance lies outside the object far more than the other classes', with the"
                            + " images that show it most (each audit's latest run; all findings on the overview).");
            for (Row x : hans) {
                String evidence = f.string(x, "evidence");
                sec.gallery(
                        f.string(x, "model") + ": " + f.string(x, "subject"),
                        f.string(x, "detail"),
                        images(f.string(x, "model"), evidence == null ? List.of() : List.of(evidence.split(" "))));
            }
        }
    }

    // ---------------------------------------------------------------- methods

    private Page methods() throws IOException {
        Page p = new Page(
                "methods.html",
                "Methods",
                "How the methods agree, what they cost against what they give, how their maps hold under"
                        + " perturbations, and whether they pass the randomisation sanity checks.");
        Query.Result agreement = run("method_agreement.sql", 0);
        String agreementCsv = csv("method-agreement", agreement);
        Map<String, List<Row>> byModel = group(agreement, "model_id", "model_version");
        int chart = 0;
        for (var g : byModel.entrySet()) {
            TreeSet<String> m = new TreeSet<>();
            g.getValue().forEach(r -> m.add(agreement.string(r, "method_x")));
            List<String> ms = new ArrayList<>(m);
            Double[][] v = new Double[ms.size()][ms.size()];
            for (int i = 0; i < ms.size(); i++) {
                v[i][i] = 1.0;
            }
            for (Row r : g.getValue()) {
                v[ms.indexOf(agreement.string(r, "method_y"))][ms.indexOf(agreement.string(r, "method_x"))] =
                        agreement.number(r, "spearman");
            }
            p.section("agree-" + chart, "Agreement, " + g.getKey(), null)
                    .chart(
                            "a" + (++chart),
                            "Mean Spearman correlation of the maps of two methods",
                            "per image, then averaged",
                            Charts.heatmap(ms, ms, v, -1, 1, "Spearman"),
                            Math.max(320, 34 * ms.size() + 200),
                            agreementCsv,
                            agreement.query());
        }

        Query.Result cost = run("cost_and_quality.sql", 0);
        String costCsv = csv("cost-and-quality", cost);
        Map<String, List<Row>> byMetric = group(cost, "model_id", "model_version", "metric");
        for (var g : byMetric.entrySet()) {
            Map<String, double[]> points = new TreeMap<>();
            for (Row r : g.getValue()) {
                points.put(cost.string(r, "method_spec"), new double[] {
                    Math.max(0.01, cost.number(r, "ms_per_image")), cost.number(r, "mean")
                });
            }
            p.section("cost-" + chart, "Cost and quality, " + g.getKey(), null)
                    .chart(
                            "q" + (++chart),
                            "Milliseconds per image against the mean of "
                                    + g.getKey().substring(g.getKey().lastIndexOf(' ') + 1),
                            "one point per method configuration",
                            Charts.scatter("ms per image (log)", "mean", points),
                            360,
                            costCsv,
                            cost.query());
        }

        Query.Result robust = run("robustness.sql", 0);
        if (!robust.rows().isEmpty()) {
            String file = csv("robustness", robust);
            for (var g : group(robust, "model_id", "model_version", "perturbation", "measure")
                    .entrySet()) {
                Map<String, List<double[]>> lines = new TreeMap<>();
                for (Row r : g.getValue()) {
                    lines.computeIfAbsent(robust.string(r, "method_spec"), k -> new ArrayList<>())
                            .add(new double[] {robust.number(r, "level"), robust.number(r, "mean")});
                }
                p.section("rob-" + chart, "Robustness, " + g.getKey(), null)
                        .chart(
                                "r" + (++chart),
                                "Similarity of the maps before and after the perturbation, by its level",
                                null,
                                Charts.lines("level", "mean similarity", lines),
                                360,
                                file,
                                robust.query());
            }
        }
        Query.Result sanity = run("sanity_checks.sql", 0);
        if (!sanity.rows().isEmpty()) {
            String file = csv("sanity-checks", sanity);
            for (var g : group(sanity, "model_id", "model_version", "check_name", "similarity")
                    .entrySet()) {
                Map<String, List<double[]>> lines = new TreeMap<>();
                for (Row r : g.getValue()) {
                    Double depth = sanity.number(r, "depth");
                    lines.computeIfAbsent(
                                    sanity.string(r, "method_spec")
                                            + (sanity.string(r, "cascade") == null
                                                    ? ""
                                                    : " (cascade " + sanity.string(r, "cascade") + ")"),
                                    k -> new ArrayList<>())
                            .add(new double[] {depth == null ? 0 : depth, sanity.number(r, "mean")});
                }
                p.section("san-" + chart, "Sanity check, " + g.getKey(), null)
                        .chart(
                                "s" + (++chart),
                                "Similarity to the original maps by randomisation depth (a method that passes drops)",
                                null,
                                Charts.lines("layers randomised", "mean similarity", lines),
                                360,
                                file,
                                sanity.query());
            }
        }
        return p;
    }

    /** Rows grouped by the values of {@code columns}, joined by spaces, in order. */
    private static Map<String, List<Row>> group(Query.Result r, String... columns) {
        return group(r, row -> {
            List<String> key = new ArrayList<>();
            for (String c : columns) {
                key.add(String.valueOf(r.string(row, c)));
            }
            return String.join(" ", key);
        });
    }

    /** Rows grouped by {@code key}, in the keys' order. */
    private static Map<String, List<Row>> group(Query.Result r, java.util.function.Function<Row, String> key) {
        Map<String, List<Row>> out = new TreeMap<>();
        for (Row row : r.rows()) {
            out.computeIfAbsent(key.apply(row), k -> new ArrayList<>()).add(row);
        }
        return out;
    }

    /** A model key ({@code id@version}) of a row with {@code model_id} and {@code model_version}. */
    private static String model(Query.Result r, Row row) {
        return r.string(row, "model_id") + "@" + r.string(row, "model_version");
    }

    // ---------------------------------------------------------------- versions

    private Page versions() throws IOException {
        Page p = new Page(
                "versions.html",
                "Versions",
                "How the maps and the metrics moved between consecutive versions of a model (model_drift).");
        Query.Result perClass = run("drift.sql", 0);
        String file = csv("drift-per-class", perClass);
        int chart = 0;
        for (var g : group(perClass, "model_id", "version_a", "version_b").entrySet()) {
            TreeSet<String> methods = new TreeSet<>();
            Map<String, Double> classWorst = new LinkedHashMap<>();
            for (Row r : g.getValue()) {
                methods.add(perClass.string(r, "method_spec"));
                classWorst.merge(perClass.string(r, "class"), perClass.number(r, "mean_pearson"), Math::min);
            }
            List<String> classes = classWorst.entrySet().stream()
                    .sorted(Map.Entry.comparingByValue())
                    .limit(MAX_CLASSES)
                    .map(Map.Entry::getKey)
                    .toList();
            List<String> ms = new ArrayList<>(methods);
            Double[][] v = new Double[classes.size()][ms.size()];
            for (Row r : g.getValue()) {
                int y = classes.indexOf(perClass.string(r, "class"));
                if (y >= 0) {
                    v[y][ms.indexOf(perClass.string(r, "method_spec"))] = perClass.number(r, "mean_pearson");
                }
            }
            String[] k = g.getKey().split(" ");
            p.section("drift-" + chart, k[0] + ": version " + k[1] + " to " + k[2], null)
                    .chart(
                            "d" + (++chart),
                            "Mean Pearson correlation of the maps of the two versions",
                            "per class (the classes whose maps moved most first) and method",
                            Charts.heatmap(ms, classes, v, -1, 1, "Pearson"),
                            Math.max(320, 22 * classes.size() + 200),
                            file,
                            perClass.query());
        }
        Query.Result paired = run("drift.sql", 1);
        if (!paired.rows().isEmpty()) {
            List<String> cols = List.of(
                    "model_id",
                    "version_a",
                    "version_b",
                    "method_spec",
                    "metric",
                    "n",
                    "mean_delta",
                    "ci95_low",
                    "ci95_high",
                    "better",
                    "worse",
                    "equal");
            p.section("paired", "Per-metric change, paired by image", null)
                    .table(
                            "Metric deltas (version b - version a)",
                            cols,
                            cells(paired, cols),
                            csv("drift-paired", paired),
                            paired.query());
        }
        if (perClass.rows().isEmpty()) {
            p.section("none", "No drift yet", "Audit two versions of one model id (models: [...v1, ...v2]).");
        }
        return p;
    }

    // ---------------------------------------------------------------- worst cases

    private Page worst() throws IOException {
        Page p = new Page(
                "worst.html",
                "Worst cases",
                "For each metric, the method ranked first and the images where it does worst: where even the best"
                        + " explanation fails.");
        Query.Result r = run("worst_cases.sql", 0);
        String file = csv("worst-cases", r);
        int n = 0;
        for (var g : group(r, "model_id", "model_version", "metric", "metric_params", "target_rule")
                .entrySet()) {
            List<Row> rows = g.getValue();
            String model = model(r, rows.get(0));
            List<String> ids = rows.stream().map(x -> r.string(x, "image_id")).toList();
            List<String> cols = List.of("worst", "image_id", "value");
            p.section("worst-" + (n++), g.getKey(), "best method: " + r.string(rows.get(0), "method_spec"))
                    .table(
                            "Its worst images",
                            cols,
                            cells(new Query.Result(r.query(), r.columns(), rows, false), cols),
                            file,
                            r.query())
                    .gallery("Overlays (every method of the model)", null, images(model, ids));
        }
        return p;
    }
}
