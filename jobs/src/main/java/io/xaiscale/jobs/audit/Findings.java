package io.xaiscale.jobs.audit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * What an audit finds by itself in a model's maps over the selected images, from the metrics table:
 *
 * <ul>
 *   <li>{@code clever_hans}: per method and class, the share of relevance outside the object ({@code 1 -
 *       relevance_mass}) against the other classes' (a class the model recognises by its background,
 *       a watermark or a caption shows a far larger share); a finding when the difference's 95%
 *       confidence interval (normal approximation, Welch) lies above zero and the difference is at
 *       least {@link #MIN_EFFECT}, with the images of that class that show it most;
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
    public static final double MIN_EFFECT = 0.1;

    /** The least images of a class for a Clever-Hans finding. */
    public static final long MIN_IMAGES = 5;

    public static final double MAX_RANDOMIZATION_SPEARMAN = 0.5;

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
            double ciLow,
            double ciHigh,
            long n,
            List<String> evidence,
            String detail) {}

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
            out.addAll(cleverHans(
                    mass.join(images, "image_id")
                            .where(col("label").isNotNull())
                            .withColumn("outside", lit(1.0).minus(col("value"))),
                    card));
        }
        Dataset<Row> random = metrics.where(col("metric").equalTo(ModelRandomization.NAME + "_spearman"));
        if (!random.isEmpty()) {
            out.addAll(sanity(random));
        }
        out.sort(Comparator.comparingDouble((Finding f) -> -f.effect()));
        return out;
    }

    /** Per method and class: the outside share against the other classes'. */
    public static List<Finding> cleverHans(Dataset<Row> rows, ModelCard card) {
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
            double se = Math.sqrt(variance(n, sum, sq) / n + variance(rn, rsum, rsq) / rn);
            double effect = mean - rest;
            double low = effect - 1.96 * se;
            if (low > 0 && effect >= MIN_EFFECT) {
                int cls = s.getInt(1);
                String name =
                        cls >= 0 && cls < card.classes().size() ? card.classes().get(cls) : "class " + cls;
                List<String> evidence = rows.where(col("method_spec")
                                .equalTo(method)
                                .and(col("label").equalTo(cls)))
                        .orderBy(col("outside").desc(), col("image_id"))
                        .limit(EVIDENCE)
                        .select("image_id")
                        .as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList();
                out.add(new Finding(
                        CLEVER_HANS,
                        name + " | " + method,
                        method,
                        cls,
                        "mean share of relevance outside the object",
                        mean,
                        effect,
                        low,
                        effect + 1.96 * se,
                        n,
                        evidence,
                        String.format(
                                Locale.ROOT,
                                "%s: %.2f of the relevance lies outside the object for %s, %.2f for the other classes"
                                        + " (%d and %d images)",
                                method,
                                mean,
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
            double half = 1.96 * Math.sqrt(variance(n, s.getDouble(2), s.getDouble(3)) / n);
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

    private static double variance(long n, double sum, double sq) {
        return n < 2 ? 0 : Math.max(0, (sq - sum * sum / n) / (n - 1));
    }

    /** The rows of {@code audit_findings} for {@code findings}, ranked in their order (1 = first). */
    public static List<Row> rows(String runId, String audit, ModelCard card, List<Finding> findings, Timestamp now) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            out.add(Tables.AUDIT_FINDINGS
                    .row()
                    .set("run_id", runId)
                    .set("audit", audit)
                    .set("model", card.key())
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
