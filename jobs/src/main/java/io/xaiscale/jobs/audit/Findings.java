package io.xaiscale.jobs.audit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.xaiscale.analysis.StudentT;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.metric.localisation.RelevanceMass;
import io.xaiscale.metric.sanity.ModelRandomization;
import io.xaiscale.model.ModelCard;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * What an audit finds by itself in a model's maps over the selected images, from the metrics table
 * (SpRAy clusters: {@link SprayFindings}):
 *
 * <ul>
 *   <li>{@code clever_hans}: per method, {@code relevance_mass} configuration and class, the share of
 *       relevance outside the object ({@code 1 - relevance_mass}; with a {@code margin}, away from it)
 *       against the other classes' (a class the model recognises by its background, a watermark or a
 *       caption shows a far larger share); a finding when the difference's 95% confidence interval
 *       (normal approximation, Welch) lies above zero and the difference is at least
 *       {@link #MIN_EFFECT}, with the images of that class that show it most;
 *   <li>{@code metric_regression}, {@code error_spike}: against the previous succeeded run of the
 *       audit ({@link #regressions}, {@link #errorSpike});
 *   <li>{@code prediction_drift}: between two versions of a model ({@link #predictionDrift});
 *   <li>{@code sanity_failure}: a method whose maps stay similar (mean Spearman at least
 *       {@link #MAX_RANDOMIZATION_SPEARMAN}) when the model's top layers are randomised (Adebayo et al.
 *       2018): its maps do not depend on what the model learned.
 * </ul>
 *
 * Needs {@code relevance_mass} (Clever Hans) and {@code model_randomization} (sanity) among the
 * audit's metrics; without them the kind is not looked for (said on the console).
 */
public final class Findings {
    public static final String CLEVER_HANS = "clever_hans";
    public static final String SANITY_FAILURE = "sanity_failure";

    /** The least difference in outside share that makes a Clever-Hans finding. */
    public static final double MIN_EFFECT = 0.2;

    /** The least images of a class for a Clever-Hans finding. */
    public static final long MIN_IMAGES = 5;

    public static final double MAX_RANDOMIZATION_SPEARMAN = 0.5;

    public static final String METRIC_REGRESSION = "metric_regression";
    public static final String ERROR_SPIKE = "error_spike";
    public static final String PREDICTION_DRIFT = "prediction_drift";
    /** Batches the explain stage computed again after a non-finite map or probability (a faulty kernel's first run). */
    public static final String NON_FINITE_RECOMPUTED = "non_finite_recomputed";

    /** The least standardised worsening (Cohen's d: worsening / this run's standard deviation) of a regression. */
    public static final double MIN_REGRESSION_D = 0.2;

    /** The least rise of the error rate that makes a spike (it must also at least double). */
    public static final double MIN_ERROR_SPIKE = 0.01;

    /** The least share of a class's predictions that changed between versions for a drift finding. */
    public static final double MIN_PREDICTION_CHANGE = 0.05;

    static final int EVIDENCE = 5;

    /** One finding, before it is ranked and written. */
    public record Finding(
            String kind,
            String subject,
            String methodSpec,
            Integer cls,
            String statistic,
            double value,
            double effect,
            Double ciLow,
            Double ciHigh,
            long n,
            List<String> evidence,
            String detail) {}

    /**
     * The batches the explain stage of this run computed again after a non-finite result (none: no
     * finding): recorded with the run, so a machine whose kernels misbehave is seen in the ledger.
     */
    public static List<Finding> recomputed(long batches) {
        if (batches == 0) {
            return List.of();
        }
        return List.of(new Finding(
                NON_FINITE_RECOMPUTED,
                "explain",
                null,
                null,
                "batches computed again",
                batches,
                0,
                null,
                null,
                batches,
                List.of(),
                batches + " batch(es) gave non-finite maps, logits or probabilities and were computed again; what"
                        + " stayed non-finite is its images' error (docs/sizing.md, 'Virtual CPUs and oneDNN')"));
    }

    /** A finding as read back from {@code audit_findings}. */
    public static Finding of(Row r) {
        return new Finding(
                r.getAs("kind"),
                r.getAs("subject"),
                r.getAs("method_spec"),
                r.getAs("class"),
                r.getAs("statistic"),
                r.getAs("value"),
                r.<Double>getAs("effect_size"),
                r.getAs("ci_low"),
                r.getAs("ci_high"),
                r.<Long>getAs("n"),
                r.isNullAt(r.fieldIndex("evidence")) ? List.of() : r.getList(r.fieldIndex("evidence")),
                r.getAs("detail"));
    }

    /** Kinds that compare a run with the previous one: a run whose inputs did not change has none. */
    public static final List<String> AGAINST_PREVIOUS = List.of(METRIC_REGRESSION, ERROR_SPIKE);

    /** Findings about what a run computed, not about the results: a run that reuses another's does not copy them. */
    public static final List<String> OF_THE_COMPUTATION = List.of(NON_FINITE_RECOMPUTED);

    /** Most severe first: the larger effect, then the kind and subject (a stable order). */
    public static final Comparator<Finding> SEVERITY = Comparator.comparingDouble((Finding f) -> -f.effect())
            .thenComparing(Finding::kind)
            .thenComparing(Finding::subject);

    private Findings() {}

    /**
     * The findings for model {@code card} in {@code metrics}: its metric rows with a value over the
     * audited images, each with the {@code method_spec} of its map (of the predicted class); most
     * severe first.
     */
    public static List<Finding> find(SparkSession spark, String warehouse, ModelCard card, Dataset<Row> metrics) {
        List<Finding> out = new ArrayList<>();
        Dataset<Row> mass = metrics.where(col("metric").equalTo(RelevanceMass.NAME));
        if (mass.isEmpty()) {
            System.out.println("[audit] no relevance_mass values: Clever-Hans candidates not looked for "
                    + "(add relevance_mass to the audit's metrics)");
        } else {
            Dataset<Row> images = DeltaIO.read(spark, warehouse, Tables.IMAGES).select("image_id", "label");
            // each configuration of the metric on its own (the plain one and those with a margin)
            for (String params : mass.select("metric_params")
                    .distinct()
                    .orderBy("metric_params")
                    .as(Encoders.STRING())
                    .collectAsList()) {
                out.addAll(cleverHans(
                        mass.where(col("metric_params").equalTo(params))
                                .join(images, "image_id")
                                .where(col("label").isNotNull())
                                .withColumn("outside", lit(1.0).minus(col("value"))),
                        card,
                        margin(params)));
            }
        }
        Dataset<Row> random = metrics.where(col("metric").equalTo(ModelRandomization.NAME + "_spearman"));
        if (!random.isEmpty()) {
            out.addAll(sanity(random));
        }
        out.sort(SEVERITY);
        return out;
    }

    /** The {@code margin} of a {@code relevance_mass} configuration's params (JSON), 0 without one. */
    static double margin(String metricParams) {
        Matcher m = Pattern.compile("\"margin\"\\s*:\\s*([0-9.eE+-]+)").matcher(metricParams);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * Per method and class: the share of relevance outside the object (farther than {@code margin} of
     * the image's side from it, when {@code relevance_mass} had a margin) against the other classes'.
     */
    public static List<Finding> cleverHans(Dataset<Row> rows, ModelCard card, double margin) {
        String outside = margin == 0
                ? "outside the object"
                : String.format(Locale.ROOT, "farther than %.3g of the image from the object", margin);
        List<Row> stats = rows.groupBy("method_spec", "label")
                .agg(count(lit(1)), sum("outside"), sum(col("outside").multiply(col("outside"))))
                .collectAsList();
        List<Finding> out = new ArrayList<>();
        for (Row s : stats) {
            String method = s.getString(0);
            long n = s.getLong(2);
            double sum = s.getDouble(3);
            double sq = s.getDouble(4);
            long rn = 0;
            double rsum = 0;
            double rsq = 0;
            for (Row o : stats) {
                if (o.getString(0).equals(method) && o.getInt(1) != s.getInt(1)) {
                    rn += o.getLong(2);
                    rsum += o.getDouble(3);
                    rsq += o.getDouble(4);
                }
            }
            if (n < MIN_IMAGES || rn < MIN_IMAGES) {
                continue;
            }
            double mean = sum / n;
            double rest = rsum / rn;
            double v = variance(n, sum, sq);
            double rv = variance(rn, rsum, rsq);
            double se = Math.sqrt(v / n + rv / rn);
            double effect = mean - rest;
            // Welch's interval of the difference of the two means (unequal variances)
            double half = StudentT.t975(StudentT.welchDf(v, n, rv, rn)) * se;
            double low = effect - half;
            if (low > 0 && effect >= MIN_EFFECT) {
                int cls = s.getInt(1);
                String name = card.className(cls);
                List<String> evidence = rows.where(col("method_spec")
                                .equalTo(method)
                                .and(col("label").equalTo(cls)))
                        .orderBy(col("outside").desc(), col("image_id"))
                        .limit(EVIDENCE)
                        .select("image_id")
                        .as(Encoders.STRING())
                        .collectAsList();
                out.add(new Finding(
                        CLEVER_HANS,
                        name + " | " + method + (margin == 0 ? "" : " | margin " + margin),
                        method,
                        cls,
                        "mean share of relevance " + outside,
                        mean,
                        effect,
                        low,
                        effect + half,
                        n,
                        evidence,
                        String.format(
                                Locale.ROOT,
                                "%s: %.2f of the relevance lies %s for %s, %.2f for the other classes"
                                        + " (%d and %d images)",
                                method,
                                mean,
                                outside,
                                name,
                                rest,
                                n,
                                rn)));
            }
        }
        return out;
    }

    /** Methods whose maps survive the randomisation of the model's top layers. */
    static List<Finding> sanity(Dataset<Row> rows) {
        List<Finding> out = new ArrayList<>();
        for (Row s : rows.groupBy("method_spec")
                .agg(count(lit(1)), sum("value"), sum(col("value").multiply(col("value"))))
                .collectAsList()) {
            long n = s.getLong(1);
            double mean = s.getDouble(2) / n;
            double half = StudentT.halfWidth(n, variance(n, s.getDouble(2), s.getDouble(3)));
            if (n >= MIN_IMAGES && mean >= MAX_RANDOMIZATION_SPEARMAN) {
                out.add(new Finding(
                        SANITY_FAILURE,
                        s.getString(0),
                        s.getString(0),
                        null,
                        "mean Spearman of the maps before and after randomising the top layers",
                        mean,
                        mean - MAX_RANDOMIZATION_SPEARMAN,
                        mean - half,
                        mean + half,
                        n,
                        List.of(),
                        String.format(
                                Locale.ROOT,
                                "%s: its maps keep a Spearman of %.2f with the maps of a model whose top layers are random:"
                                        + " they do not show what the model learned",
                                s.getString(0),
                                mean)));
            }
        }
        return out;
    }

    /**
     * Means of this run that are worse than the previous run's by at least {@link #MIN_REGRESSION_D}
     * standard deviations, with the 95% interval of the worsening above zero (this run's mean against
     * the earlier mean as a reference: a one-sample interval from this run's spread); {@code evidence}
     * gives each its images (e.g. {@link #worstImages}).
     */
    public static List<Finding> regressions(
            List<Gates.Mean> now, Ledger.Previous previous, Function<Gates.Mean, List<String>> evidence) {
        List<Finding> out = new ArrayList<>();
        for (Gates.Mean m : now) {
            Gates.Mean before =
                    previous.means().stream().filter(m::sameAs).findFirst().orElse(null);
            if (before == null || before.mean() == null || m.mean() == null || m.sd() == null || m.n() < MIN_IMAGES) {
                continue;
            }
            double worse = m.worseningFrom(before);
            double half = StudentT.halfWidth(m.n(), m.sd() * m.sd());
            double d = m.sd() > 0 ? worse / m.sd() : worse > 0 ? Double.POSITIVE_INFINITY : 0;
            if (worse - half > 0 && d >= MIN_REGRESSION_D) {
                out.add(new Finding(
                        METRIC_REGRESSION,
                        m.metric() + " | " + m.methodSpec(),
                        m.methodSpec(),
                        null,
                        "worsening of the mean against run " + previous.runId() + ", in standard deviations",
                        m.mean(),
                        d,
                        worse - half,
                        worse + half,
                        m.n(),
                        evidence.apply(m),
                        String.format(
                                Locale.ROOT,
                                "%s of %s: %.4f -> %.4f over %d image(s) (%s is better; worse by %.4f, %.2f sd)",
                                m.metric(),
                                m.methodSpec(),
                                before.mean(),
                                m.mean(),
                                m.n(),
                                m.higherIsBetter() ? "higher" : "lower",
                                worse,
                                d)));
            }
        }
        return out;
    }

    /** The images of {@code scored} where {@code m}'s metric is worst for its method. */
    public static List<String> worstImages(Dataset<Row> scored, Gates.Mean m) {
        return scored.where(col("method_spec")
                        .equalTo(m.methodSpec())
                        .and(col("metric").equalTo(m.metric())))
                .orderBy(m.higherIsBetter() ? col("value").asc() : col("value").desc(), col("image_id"))
                .limit(EVIDENCE)
                .select("image_id")
                .as(Encoders.STRING())
                .collectAsList();
    }

    /**
     * An error-rate spike: this run's share of rows with an error ({@code errors} of {@code rows})
     * against the previous run's, when it rose by at least {@link #MIN_ERROR_SPIKE}, at least doubled,
     * and the 95% interval of the difference (two proportions, normal approximation) lies above zero.
     */
    public static List<Finding> errorSpike(
            long rows, long errors, Ledger.Previous previous, Supplier<List<String>> evidence) {
        if (previous.checkedRows() == null
                || previous.errorRows() == null
                || previous.checkedRows() == 0
                || rows == 0) {
            return List.of();
        }
        double p1 = (double) previous.errorRows() / previous.checkedRows();
        double p2 = (double) errors / rows;
        double diff = p2 - p1;
        double half = 1.96 * Math.sqrt(p1 * (1 - p1) / previous.checkedRows() + p2 * (1 - p2) / rows);
        if (diff < MIN_ERROR_SPIKE || p2 < 2 * p1 || diff - half <= 0) {
            return List.of();
        }
        return List.of(new Finding(
                ERROR_SPIKE,
                "error rate",
                null,
                null,
                "rise of the share of rows with an error against run " + previous.runId(),
                p2,
                diff,
                diff - half,
                diff + half,
                rows,
                evidence.get(),
                String.format(
                        Locale.ROOT,
                        "%.4f of the rows have an error (%d of %d), %.4f in run %s (%d of %d)",
                        p2,
                        errors,
                        rows,
                        p1,
                        previous.runId(),
                        previous.errorRows(),
                        previous.checkedRows())));
    }

    /**
     * Over all images and per class (of version a's prediction), the share of images whose prediction
     * changed between
     * two versions ({@code drift}: {@code model_drift} rows of the pair, any method: one prediction an
     * image), a finding when its 95% interval (normal approximation) lies above
     * {@link #MIN_PREDICTION_CHANGE}; evidence: images whose prediction changed.
     */
    public static List<Finding> predictionDrift(Dataset<Row> drift, ModelCard a, ModelCard b) {
        Dataset<Row> perImage = drift.groupBy("image_id")
                .agg(
                        org.apache.spark.sql.functions.first("predicted_a").as("predicted_a"),
                        org.apache.spark.sql.functions.first("predicted_b").as("predicted_b"))
                .where(col("predicted_a").isNotNull().and(col("predicted_b").isNotNull()));
        List<Finding> out = new ArrayList<>();
        Column changes =
                sum(when(col("predicted_a").notEqual(col("predicted_b")), 1).otherwise(0));
        List<Row> groups = new ArrayList<>(
                perImage.agg(lit(null).cast("int"), count(lit(1)), changes).collectAsList());
        groups.addAll(
                perImage.groupBy("predicted_a").agg(count(lit(1)), changes).collectAsList());
        for (Row s : groups) {
            Integer cls = s.isNullAt(0) ? null : s.getInt(0);
            long n = s.getLong(1);
            long changed = n == 0 ? 0 : s.getLong(2);
            double p = n == 0 ? 0 : (double) changed / n;
            double half = n == 0 ? 0 : 1.96 * Math.sqrt(p * (1 - p) / n);
            if (n < MIN_IMAGES || p - half <= MIN_PREDICTION_CHANGE) {
                continue;
            }
            List<String> evidence = perImage.where(
                            (cls == null ? lit(true) : col("predicted_a").equalTo(cls))
                                    .and(col("predicted_b").notEqual(col("predicted_a"))))
                    .orderBy("image_id")
                    .limit(EVIDENCE)
                    .select("image_id")
                    .as(Encoders.STRING())
                    .collectAsList();
            String name = cls == null ? "all classes" : a.className(cls);
            out.add(new Finding(
                    PREDICTION_DRIFT,
                    name + " | " + a.version() + " -> " + b.version(),
                    null,
                    cls,
                    "share of the images predicted " + name + " by version " + a.version() + " that version "
                            + b.version() + " predicts otherwise",
                    p,
                    p,
                    p - half,
                    p + half,
                    n,
                    evidence,
                    String.format(
                            Locale.ROOT,
                            "%s: %d of %d images predicted %s by version %s are predicted otherwise by %s",
                            a.id(),
                            changed,
                            n,
                            name,
                            a.version(),
                            b.version())));
        }
        out.sort(SEVERITY);
        return out;
    }

    private static double variance(long n, double sum, double sq) {
        return n < 2 ? 0 : Math.max(0, (sq - sum * sum / n) / (n - 1));
    }

    /**
     * The rows of {@code audit_findings} for {@code findings} about {@code model} (a model key, a
     * version pair, or {@code all} for the run), ranked in their order (1 = first).
     */
    public static List<Row> rows(String runId, String audit, String model, List<Finding> findings, Timestamp now) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            out.add(Tables.AUDIT_FINDINGS
                    .row()
                    .set("run_id", runId)
                    .set("audit", audit)
                    .set("model", model)
                    .set("kind", f.kind())
                    .set("subject", f.subject())
                    .set("method_spec", f.methodSpec())
                    .set("class", f.cls())
                    .set("statistic", f.statistic())
                    .set("value", f.value())
                    .set("effect_size", f.effect())
                    .set("ci_low", f.ciLow())
                    .set("ci_high", f.ciHigh())
                    .set("n", f.n())
                    .set(
                            "evidence",
                            JavaConverters.asScalaBuffer(new ArrayList<>(f.evidence()))
                                    .toSeq())
                    .set("rank", i + 1)
                    .set("detail", f.detail())
                    .set("found_at", now)
                    .build());
        }
        return out;
    }
}
