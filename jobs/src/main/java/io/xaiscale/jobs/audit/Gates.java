package io.xaiscale.jobs.audit;

import io.xaiscale.jobs.audit.AuditConfig.Gate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The gates of an audit: each compares a number of the run with a threshold and passes or fails; a
 * run with a failed gate ends {@code gated} (exit code {@link #EXIT_GATED}).
 *
 * <ul>
 *   <li>{@code error_rate} ({@code max}): the fraction of the run's explanation and metric rows (of
 *       the selected images, every audited model) that carry an error ("not applicable" excepted);
 *   <li>{@code metric} ({@code metric}, {@code method}, {@code min} and/or {@code max}): the mean of a
 *       metric output for a method over the selected images, per model;
 *   <li>{@code metric_change} ({@code metric}, {@code method}, {@code max_worsening}): that mean
 *       against the last succeeded run of the same audit, worse by at most this much (in the metric's
 *       own direction); the first run passes;
 *   <li>{@code clever_hans} ({@code max_effect}, default 0): no Clever-Hans finding ({@link Findings})
 *       with a larger effect (excess share of relevance outside the object);
 *   <li>{@code sanity}: no method fails the model-randomisation check ({@link Findings}).
 * </ul>
 */
public final class Gates {
    public static final List<String> KINDS = List.of("error_rate", "metric", "metric_change", "clever_hans", "sanity");

    /** The exit code of a run whose gates failed (0 success, 2 usage errors, 1 other failures). */
    public static final int EXIT_GATED = 3;

    private Gates() {}

    /** A run that ended with a failed gate: {@code Main} prints it and exits with {@link #EXIT_GATED}. */
    public static final class Failed extends Exception {
        public Failed(String message) {
            super(message);
        }
    }

    /** What is wrong with a gate's fields; null when nothing is. */
    public static String problem(Gate g) {
        if (g.gate() == null || !KINDS.contains(g.gate())) {
            return "unknown gate " + g.gate() + " (valid: " + String.join(", ", KINDS) + ")";
        }
        switch (g.gate()) {
            case "error_rate":
                return g.max() == null || g.max() < 0 || g.max() > 1 ? "error_rate needs 'max' in [0, 1]" : null;
            case "metric":
                if (g.metric() == null || g.method() == null) {
                    return "metric needs 'metric' and 'method'";
                }
                return g.min() == null && g.max() == null ? "metric needs 'min' or 'max'" : null;
            case "clever_hans":
                return g.maxEffect() != null && g.maxEffect() < 0 ? "clever_hans needs 'max_effect' >= 0" : null;
            case "sanity":
                return null;
            default:
                if (g.metric() == null || g.method() == null) {
                    return "metric_change needs 'metric' and 'method'";
                }
                return g.maxWorsening() == null || g.maxWorsening() < 0
                        ? "metric_change needs 'max_worsening' >= 0"
                        : null;
        }
    }

    /**
     * A run's mean of one metric output for one method configuration and model (a {@code RUN_MEAN}
     * row), and the values' standard deviation ({@code sd}: known for the run being audited, not
     * stored in the ledger).
     */
    public record Mean(
            String model,
            String methodSpec,
            String metric,
            long n,
            Double mean,
            boolean higherIsBetter,
            Double sd,
            long notApplicable) {
        /** A mean without a count of not-applicable items (a ledger row's, or one made by hand). */
        public Mean(
                String model,
                String methodSpec,
                String metric,
                long n,
                Double mean,
                boolean higherIsBetter,
                Double sd) {
            this(model, methodSpec, metric, n, mean, higherIsBetter, sd, 0);
        }

        /** A row of {@code Tables.RUN_MEAN}'s fields, in its order (built rows have no schema to look names up in). */
        public static Mean of(Row r) {
            return new Mean(
                    r.getString(0),
                    r.getString(1),
                    r.getString(2),
                    r.getLong(3),
                    r.isNullAt(4) ? null : r.getDouble(4),
                    r.getBoolean(5),
                    null);
        }

        /** This mean as a {@code Tables.RUN_MEAN} row. */
        public Row row() {
            return RowFactory.create(model, methodSpec, metric, n, mean, higherIsBetter);
        }

        /** Whether {@code other} is the same output of the same method and model (of another run). */
        boolean sameAs(Mean other) {
            return model.equals(other.model) && methodSpec.equals(other.methodSpec) && metric.equals(other.metric);
        }

        /** How much worse this mean is than {@code before}'s, in the metric's direction (negative: better). */
        double worseningFrom(Mean before) {
            return higherIsBetter ? before.mean - mean : mean - before.mean;
        }

        /** Whether a gate's {@code method} (a name, or a full spec) names this configuration. */
        boolean isMethod(String method) {
            return methodSpec.equals(method) || methodSpec.startsWith(method + "[");
        }
    }

    /**
     * The outcome rows ({@code RUN_GATE}) of {@code gates} for a run with {@code errorRate} and
     * {@code means}, against the previous succeeded run's {@code previous} means (empty: none).
     */
    public static List<Row> evaluate(
            List<Gate> gates,
            double errorRate,
            List<Mean> means,
            List<Mean> previous,
            List<Findings.Finding> findings) {
        List<Row> out = new ArrayList<>();
        for (Gate g : gates) {
            switch (g.gate()) {
                case "clever_hans":
                case "sanity": {
                    String kind = g.gate().equals("sanity") ? Findings.SANITY_FAILURE : Findings.CLEVER_HANS;
                    double max = g.maxEffect() == null || kind.equals(Findings.SANITY_FAILURE) ? 0 : g.maxEffect();
                    List<Findings.Finding> over = findings.stream()
                            .filter(f -> f.kind().equals(kind) && f.effect() > max)
                            .toList();
                    double worst = over.stream()
                            .mapToDouble(Findings.Finding::effect)
                            .max()
                            .orElse(0);
                    out.add(outcome(
                            g.gate(),
                            over.isEmpty(),
                            over.isEmpty() ? null : worst,
                            max,
                            over.isEmpty()
                                    ? "no " + kind + " finding above " + max
                                    : over.size() + " " + kind + " finding(s): "
                                            + over.get(0).subject()));
                    break;
                }
                case "error_rate":
                    out.add(outcome(
                            "error_rate",
                            errorRate <= g.max(),
                            errorRate,
                            g.max(),
                            String.format(Locale.ROOT, "%.4f of the run's rows have an error", errorRate)));
                    break;
                case "metric":
                    if (matching(means, g).isEmpty()) {
                        out.add(missing(g));
                    }
                    for (Mean m : matching(means, g)) {
                        boolean ok = m.mean() != null
                                && (g.min() == null || m.mean() >= g.min())
                                && (g.max() == null || m.mean() <= g.max());
                        out.add(outcome(
                                name(g, m),
                                ok,
                                m.mean(),
                                g.min() != null ? g.min() : g.max(),
                                String.format(
                                        Locale.ROOT,
                                        "mean over %d image(s)%s%s%s",
                                        m.n(),
                                        m.notApplicable() == 0 ? "" : " (" + m.notApplicable() + " not applicable)",
                                        g.min() == null ? "" : ", at least " + g.min(),
                                        g.max() == null ? "" : ", at most " + g.max())));
                    }
                    break;
                default:
                    if (matching(means, g).isEmpty()) {
                        out.add(missing(g));
                    }
                    for (Mean m : matching(means, g)) {
                        Mean before =
                                previous.stream().filter(m::sameAs).findFirst().orElse(null);
                        if (before == null || before.mean() == null || m.mean() == null) {
                            out.add(outcome(name(g, m), true, null, g.maxWorsening(), "no earlier value to compare"));
                            continue;
                        }
                        double worse = m.worseningFrom(before);
                        out.add(outcome(
                                name(g, m),
                                worse <= g.maxWorsening(),
                                worse,
                                g.maxWorsening(),
                                String.format(
                                        Locale.ROOT,
                                        "%.4f -> %.4f (%s is better)",
                                        before.mean(),
                                        m.mean(),
                                        m.higherIsBetter() ? "higher" : "lower")));
                    }
            }
        }
        return out;
    }

    /** The means a metric gate is about (none: the gate fails, {@link #missing}). */
    private static List<Mean> matching(List<Mean> means, Gate g) {
        return means.stream()
                .filter(x -> x.metric().equals(g.metric()) && x.isMethod(g.method()) && x.n() > 0)
                .toList();
    }

    /** A gate about values the run does not have fails: a misspelt metric or method must not pass. */
    private static Row missing(Gate g) {
        return outcome(
                g.gate() + " " + g.metric() + " of " + g.method(),
                false,
                null,
                g.maxWorsening() != null ? g.maxWorsening() : g.min() != null ? g.min() : g.max(),
                "the run has no value of metric " + g.metric() + " for method " + g.method());
    }

    private static String name(Gate g, Mean m) {
        return g.gate() + " " + g.metric() + " of " + m.methodSpec() + " (" + m.model() + ")";
    }

    private static Row outcome(String gate, boolean passed, Double value, Double threshold, String detail) {
        return RowFactory.create(gate, passed, value, threshold, detail);
    }
}
