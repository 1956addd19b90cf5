package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.jobs.spark.Sessions;
import io.xaiscale.metric.Metrics;
import org.apache.spark.sql.SparkSession;

/**
 * {@code xai pipeline}: ingest -> explain -> evaluate in one Spark application (the nightly audit:
 * new images and a model in, every missing explanation and metric out).
 */
public final class PipelineCommand implements Command {
    @Override
    public String name() {
        return "pipeline";
    }

    @Override
    public String summary() {
        return "ingest -> explain -> evaluate in one Spark application (what a nightly audit submits)";
    }

    @Override
    public Options options() {
        return declare(Defaults.model(Defaults.spark(new Options(name()))))
                .add("source", "", "folder or s3a:// prefix of images");
    }

    /** The options shared with {@code demo}, which declares its own defaults for {@code source}. */
    static Options declare(Options o) {
        return o.add("manifest", "", "manifest of labels and boxes (CSV or JSON Lines)")
                .add("split", "unspecified", "split recorded for files the manifest does not assign")
                .add("benchmark", "0", "Fashion-MNIST localisation canvases to ingest as well (0: none)")
                .add("benchmark-seed", "42", "seed of those canvases")
                .add("fashion-mnist", FashionMnist.DEFAULT_DIR.toString(), "directory of the Fashion-MNIST idx files")
                .add("methods", Explainers.DEFAULT_METHODS, "explanation methods")
                .add("metrics", Metrics.DEFAULT_METRICS, "metrics")
                .add("target", "predicted", "class to explain: predicted or label");
    }

    /** Runs the three stages in {@code spark}; settings were validated before Spark started. */
    static void runStages(SparkSession spark, Options o, ExplainJob.Settings explain, EvaluateJob.Settings evaluate)
            throws Exception {
        String warehouse = o.get("warehouse");
        if (!o.get("source").isBlank()) {
            long n = IngestJob.ingestFiles(spark, warehouse, o.get("source"), o.get("manifest"), o.get("split"));
            System.out.printf("[ingest] %s: %d new image row(s)%n", o.get("source"), n);
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
                    Long.parseLong(o.get("benchmark-seed")),
                    spark.sparkContext().defaultParallelism());
            System.out.printf("[ingest] Fashion-MNIST benchmark: %d new image row(s)%n", n);
        }
        ExplainJob.Result e = ExplainJob.run(spark, explain);
        System.out.printf("[explain] %d new explanation row(s) in %.1fs%n", e.inserted(), e.seconds());
        EvaluateJob.Result v = EvaluateJob.run(spark, evaluate);
        System.out.printf("[evaluate] %d new metric row(s) in %.1fs%n", v.inserted(), v.seconds());
    }

    @Override
    public void run(Options o) throws Exception {
        ExplainJob.Settings explain = ExplainCommand.settings(o);
        EvaluateJob.Settings evaluate = EvaluateCommand.settings(o);
        SparkSession spark = Sessions.create("xai-pipeline", o.get("master"));
        try {
            runStages(spark, o, explain, evaluate);
        } finally {
            spark.stop();
        }
    }
}
