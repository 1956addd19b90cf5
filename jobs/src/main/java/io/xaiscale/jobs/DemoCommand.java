package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.spark.ModelFiles;
import io.xaiscale.jobs.spark.Sessions;
import io.xaiscale.jobs.spark.SqlRunner;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.ModelCard;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code xai demo}: the whole pipeline on the embedded defaults: ingest the shipped sample images,
 * explain them with every method, evaluate, print the leaderboard, draw overlays.
 */
public final class DemoCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "ingest -> explain -> evaluate -> leaderboard -> overlays on the shipped sample and model";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())))
                .add("source", "data/sample", "folder of images to ingest")
                .add("manifest", "data/sample/manifest.csv", "manifest of labels and boxes")
                .add("methods", Explainers.DEFAULT_METHODS, "explanation methods")
                .add("metrics", Metrics.DEFAULT_METRICS, "metrics")
                .add("target", "predicted", "class to explain: predicted or label")
                .add("overlays", "overlays", "output folder of the overlays")
                .add("overlay-count", "6", "number of images drawn");
    }

    @Override
    public void run(Options o) throws Exception {
        ExplainJob.Settings explain = ExplainCommand.settings(o);
        EvaluateJob.Settings evaluate = EvaluateCommand.settings(o);
        ModelCard card = ModelCard.read(ModelFiles.localize(o.get("model"), new org.apache.hadoop.conf.Configuration()));
        String warehouse = o.get("warehouse");
        SparkSession spark = Sessions.create("xai-demo", o.get("master"));
        try {
            long images = IngestJob.ingestFiles(spark, warehouse, o.get("source"), o.get("manifest"), "sample");
            System.out.printf("[ingest] %s: %d new image row(s)%n", o.get("source"), images);
            ExplainJob.Result e = ExplainJob.run(spark, explain);
            System.out.printf("[explain] %d new explanation row(s) in %.1fs%n", e.inserted(), e.seconds());
            EvaluateJob.Result v = EvaluateJob.run(spark, evaluate);
            System.out.printf("[evaluate] %d new metric row(s) in %.1fs%n", v.inserted(), v.seconds());
            SqlRunner.registerViews(spark, warehouse);
            System.out.println("[leaderboard] notebooks-sql/leaderboard.sql");
            SqlRunner.run(spark, Path.of("notebooks-sql/leaderboard.sql")).show(100, false);
            System.out.println("[errors] rows that carry an error (nothing is dropped):");
            SqlRunner.run(spark, Path.of("notebooks-sql/errors.sql")).show(20, false);
            List<Path> files = OverlayJob.render(spark, warehouse, card, Path.of(o.get("overlays")),
                    o.getInt("overlay-count", 0, 10000), 3);
            System.out.printf("%n[demo] Delta tables: %s/{images,explanations,metrics}%n", Path.of(warehouse).toAbsolutePath());
            System.out.printf("[demo] overlays: %d grid(s) in %s (open index.html)%n", files.size(), Path.of(o.get("overlays")).toAbsolutePath());
            System.out.println("[demo] more SQL: ./xai sql   (runs every notebooks-sql/*.sql)");
        } finally {
            spark.stop();
        }
    }
}
