package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.stage.ExplainKnobs;
import io.xaiscale.jobs.stage.Stage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.metric.Metrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code xai pipeline}: ingest -> explain -> evaluate -> agreement in one Spark application (the nightly audit:
 * new images and a model in, every missing explanation and metric out).
 */
public final class PipelineCommand implements Command {
    @Override
    public String name() {
        return "pipeline";
    }

    @Override
    public String summary() {
        return "ingest -> explain -> evaluate -> agreement in one Spark application (what a nightly audit submits)";
    }

    @Override
    public Options options() {
        return declare(Defaults.model(Defaults.spark(new Options(name()))))
                .path("source", "", "folder or s3a:// prefix of images");
    }

    /** The options shared with {@code demo}, which declares its own defaults for {@code source}. */
    static Options declare(Options o) {
        return ExplainKnobs.storage(ExplainKnobs.methodsAndTarget(Defaults.selection(Defaults.files(o))))
                .add("benchmark", "0", "Fashion-MNIST localisation canvases to ingest as well (0: none)")
                .add("benchmark-seed", "42", "seed of those canvases")
                .path("fashion-mnist", FashionMnist.DEFAULT_DIR.toString(), "directory of the Fashion-MNIST idx files")
                .add("metrics", Metrics.DEFAULT_METRICS, "metrics")
                .bool("agreement", true, "fill the method_agreement table after the metrics (the agreement stage)");
    }

    /** The stages after ingest: explain, evaluate and method agreement, validated before Spark starts. */
    static List<Stage> stages(Options o) throws Exception {
        return stages(o, Plan.of(o));
    }

    /** {@link #stages(Options)} of a plan already made (its model card read once). */
    static List<Stage> stages(Options o, Plan plan) {
        o.getInt("benchmark", 0, 10_000_000); // the ingest options too are checked before Spark starts
        o.getLong("benchmark-seed");
        Defaults.files(o, plan.card().classes());
        List<Stage> out = new ArrayList<>(List.of(plan.explain(o)));
        out.addAll(plan.evaluateAndAgreement(o));
        return out;
    }

    /** Ingests what the options name, then runs {@code stages} in {@code spark}. */
    static void runStages(SparkSession spark, Options o, List<String> classes, List<Stage> stages) throws Exception {
        String warehouse = o.get("warehouse");
        if (!o.get("source").isBlank()) {
            IngestJob.ingestFiles(spark, warehouse, Defaults.files(o, classes))
                    .lines()
                    .forEach(System.out::println);
        }
        int benchmark = o.getInt("benchmark", 0, 10_000_000);
        if (benchmark > 0) {
            long n = IngestJob.ingestBenchmark(
                    spark,
                    warehouse,
                    o.get("fashion-mnist"),
                    "test",
                    benchmark,
                    64,
                    o.getLong("benchmark-seed"),
                    spark.sparkContext().defaultParallelism());
            System.out.printf("[ingest] Fashion-MNIST benchmark: %d new image row(s)%n", n);
        }
        StageRunner.runInOrder(spark, stages);
    }

    @Override
    public void run(Options o) throws Exception {
        Plan plan = Plan.of(o);
        List<Stage> stages = stages(o, plan);
        withSession(o, spark -> {
            runStages(spark, o, plan.card().classes(), stages);
        });
    }
}
