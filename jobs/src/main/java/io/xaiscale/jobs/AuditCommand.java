package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.audit.Audit;
import io.xaiscale.jobs.audit.AuditConfig;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.audit.Ledger;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.report.Destination;
import io.xaiscale.jobs.report.Report;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.jobs.session.Endpoints;
import io.xaiscale.model.ModelCard;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code xai audit --file audit.yaml}: a scheduled dataset audit as one Spark application. The
 * config ({@link AuditConfig}) names what {@code pipeline} would run; the audit runs it for every
 * model (ingest once, then explain, evaluate and agreement per model, then the drift between
 * consecutive versions of one model id), records the run in the ledger
 * ({@code audit_runs}: config and hash, images table version, per-stage counts and times, metric
 * means, gate outcomes), tags every Delta commit with the run id, and ends with exit code 0, or
 * {@link Gates#EXIT_GATED} when a gate failed.
 */
public final class AuditCommand implements Command {
    @Override
    public String name() {
        return "audit";
    }

    @Override
    public String summary() {
        return "a scheduled audit from a YAML config: pipeline per model, run ledger, gates (exit code 3 when gated)";
    }

    @Override
    public Options options() {
        return new Options(name())
                .path(
                        "file",
                        "",
                        "the audit's YAML file (local or s3a://); --config stays the properties file of every command")
                .add("master", Defaults.MASTER, "Spark master when not run by spark-submit")
                .flag(
                        "full",
                        "recompute the summaries and findings even when nothing the audit reads changed since its last run");
    }

    /** The audit's config and each model's run, every option validated (fails naming the value). */
    static Audit.Prepared prepare(AuditConfig config) throws Exception {
        return prepare(config, Audit.uptime());
    }

    /** {@link #prepare(AuditConfig)} for a command that began (read its config) at JVM uptime {@code begunAt}. */
    static Audit.Prepared prepare(AuditConfig config, double begunAt) throws Exception {
        List<Audit.ModelRun> runs = new ArrayList<>();
        IngestJob.Files files = null;
        String master = null;
        // a method runs on the models it applies to (attention methods on ViTs, ...); one that applies to none fails
        Map<String, List<String>> refusals = new LinkedHashMap<>();
        for (int i = 0; i < config.models().size(); i++) {
            String model = config.models().get(i);
            Options o = pipelineOptions(config, model, config.pipelineArgs(model, i == 0));
            Endpoints.checkReachable(ModelFiles.driverConf(), o.resolved().values());
            Plan plan = Plan.of(o);
            // the config's methods, or none named: the defaults, chosen per model by the explain stage
            if (config.methods() != null) {
                Explainers.Fit fit = Explainers.fit(config.methods(), plan.card());
                if (fit.runs().isEmpty()) {
                    throw new IllegalArgumentException("audit " + config.name() + ", model " + model
                            + ": none of the audit's methods runs on it: "
                            + String.join("; ", fit.refused().values()));
                }
                if (!fit.refused().isEmpty()) { // the plan stays: it depends on the model, not on the methods
                    fit.refused()
                            .forEach((spec, why) -> refusals.computeIfAbsent(spec, k -> new ArrayList<>())
                                    .add(why));
                    List<String> kept = new ArrayList<>(config.methods());
                    kept.removeAll(fit.refused().keySet());
                    o = pipelineOptions(config, model, config.pipelineArgs(model, i == 0, kept));
                }
            }
            runs.add(new Audit.ModelRun(plan.card(), plan.settings(), PipelineCommand.stages(o, plan)));
            if (i == 0) {
                files = Defaults.files(o, plan.card().classes());
                master = o.get("master");
            }
        }
        for (var refused : refusals.entrySet()) {
            if (refused.getValue().size() == config.models().size()) {
                throw new IllegalArgumentException("audit " + config.name() + ": method " + refused.getKey()
                        + " runs on none of its models: " + String.join("; ", refused.getValue()));
            }
            System.out.printf(
                    "[audit] %s: skipped where it does not run: %s%n",
                    refused.getKey(), String.join("; ", refused.getValue()));
        }
        return new Audit.Prepared(files, runs, master, begunAt);
    }

    private static Options pipelineOptions(AuditConfig config, String model, List<String> args) {
        try {
            return new PipelineCommand().options().parse(args.toArray(new String[0]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "audit " + config.name() + ", model " + model + ": " + e.getMessage(), e);
        }
    }

    static String read(String uri) throws Exception {
        if (uri.isBlank()) {
            throw new IllegalArgumentException(
                    "audit needs --file (the audit's YAML file, e.g. conf/audit.example.yaml)");
        }
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(ModelFiles.driverConf());
        if (!fs.exists(p)) {
            throw new FileNotFoundException("Audit config not found: " + uri);
        }
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void run(Options o) throws Exception {
        double begun = Audit.uptime();
        String text = read(o.get("file"));
        AuditConfig parsed = AuditConfig.parse(text, o.get("file"));
        AuditConfig config = o.get("file").contains("://")
                ? parsed
                : parsed.relativeTo(
                        java.nio.file.Path.of(o.get("file")).toAbsolutePath().getParent());
        Audit.Prepared prepared = prepare(config, begun);
        String warehouse = prepared.warehouse();
        try {
            Command.withSession("xai-audit " + config.name(), prepared.master(), spark -> {
                Audit.Outcome outcome = Audit.run(spark, config, text, prepared, Ledger.newRunId(), o.getFlag("full"));
                int code = outcome.exitCode();
                String kept = outcome.reusedRun() == null || config.report() == null
                        ? null
                        : Destination.existing(
                                config.report(), spark.sparkContext().hadoopConfiguration());
                if (kept != null) {
                    // what the report shows is what the reused run's report showed (but this run's ledger row)
                    System.out.println("[audit] report: " + kept + " (left as it was: nothing it shows changed"
                            + " since run " + outcome.reusedRun() + ")");
                } else if (config.report() != null) {
                    // the report of the warehouse as this run left it, gated or not: what the run's reader
                    // opens
                    Destination out = Destination.of(config.report());
                    List<ModelCard> cards =
                            prepared.models().stream().map(Audit.ModelRun::card).toList();
                    Report.write(spark, new Report.Settings(warehouse, out.folder(), cards, 4));
                    System.out.println("[audit] report: "
                            + out.publish(spark.sparkContext().hadoopConfiguration()));
                }
                if (code != 0) {
                    throw new Gates.Failed("audit " + config.name() + ": a gate failed (exit code " + code + ")");
                }
            });
        } finally {
            System.out.println("[audit] ledger: " + Tables.AUDIT_RUNS.path(warehouse));
        }
    }
}
