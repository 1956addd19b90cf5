package io.xaiscale.bench;

import io.xaiscale.config.Options;
import io.xaiscale.explain.TargetRule;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.runtime.ModelRef;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.Selection;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.jobs.stage.StageSettings;
import io.xaiscale.model.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.spark.sql.SparkSession;

/** The bench's {@code pipeline} section: each method through the explain job on Spark against its in-process rate. */
final class PipelineSection {
    private PipelineSection() {}

    /**
     * At most this many canvases per method's run: enough that a cheap method's stage lasts seconds beyond
     * its tasks' own set-up (Parquet writer, Delta statistics, task commit), as in a job over a dataset.
     */
    static final int MAX_PIPELINE_IMAGES = 20000;

    /**
     * The same methods through the whole explain stage (decode, explain, Delta MERGE) on Spark
     * local[1], one task thread like the in-process run, over benchmark canvases.
     */
    static String section(Options o, Map<String, Double> inProcess, int seconds, ToDoubleFunction<String> inProcessNow)
            throws Exception {
        SparkSession spark = Sessions.create("xai-bench", "local[1]");
        StringBuilder md = new StringBuilder();
        try {
            ModelCard card = ModelCard.read(Path.of(o.get("model")));
            md.append(String.format(
                    "%n## End to end: explain stage on Spark local[1] versus in-process%n%n"
                            + "Per method, as many benchmark canvases as take about %d s in process (64 to "
                            + MAX_PIPELINE_IMAGES + "), batch %s, one task "
                            + "thread (the in-process figures above also use one libtorch thread), a new explanations table, after one "
                            + "discarded warm-up run (the first job of a JVM also compiles Spark's, Parquet's and Delta's code paths). "
                            + "'in-process' is measured on the benchmark batch right before and right after each method's run (the mean "
                            + "of the two; this machine's speed drifts). 'job' is the whole run: reading the images table, finding the "
                            + "pending work, decoding, explaining, writing Parquet and committing to Delta, so it carries a fixed cost of "
                            + "a few seconds per run (query planning, the Delta log, the commit) that a longer run spreads thinner. "
                            + "'stage' is the Spark stage that decodes, explains and writes the rows: the per-image cost, which is what a "
                            + "job over millions of images runs at. 'explainer / stage' is the share of that stage the explainers' own "
                            + "calls took (timed inside the tasks, recorded in each row's `runtime_ms`): measured in the same run, it "
                            + "does not drift with the machine, and the rest is decoding, copying maps and writing rows.%n%n"
                            + "| method | images | in-process images/s | job images/s | job / in-process | stage images/s | stage / in-process "
                            + "| explainer / stage | fixed s |%n"
                            + "|---|---|---|---|---|---|---|---|---|%n",
                    seconds,
                    o.get("batch-size")));
            // one discarded run first: the first job of a JVM also compiles Spark's, Parquet's and Delta's code paths
            // (measured: the first method's stage ran at 66-80% of in-process, the same method second at 89%)
            var first = inProcess.entrySet().iterator().next();
            System.out.println("[bench] warm-up pipeline run (not recorded): " + first.getKey());
            StageRunner.run(spark, pipelineRun(spark, o, card, first.getKey(), (int)
                    Math.max(64, Math.min(2000, Math.round(seconds / 3.0 * first.getValue())))));
            for (var e : inProcess.entrySet()) {
                int images = (int) Math.max(64, Math.min(MAX_PIPELINE_IMAGES, Math.round(seconds * e.getValue())));
                StageRunner.Result r;
                double before;
                try {
                    ExplainStage s = pipelineRun(spark, o, card, e.getKey(), images);
                    before = inProcessNow.applyAsDouble(e.getKey());
                    r = StageRunner.run(spark, s);
                } catch (RuntimeException ex) { // one method's failure is its row, not the end of an hour's run
                    String row = "| `" + e.getKey() + "` | failed: "
                            + ex.getMessage().replace('|', '/') + " |";
                    System.out.println(row);
                    md.append(row).append('\n');
                    continue;
                }
                double local = (before + inProcessNow.applyAsDouble(e.getKey())) / 2;
                double rate = r.pending() / r.seconds();
                double stageSeconds = r.stageSeconds();
                double stageRate = r.pending() / stageSeconds;
                String row = String.format(
                        "| `%s` | %d | %.1f | %.1f | %.0f%% | %.1f | %.0f%% | %.0f%% | %.1f |",
                        e.getKey(),
                        images,
                        local,
                        rate,
                        100 * rate / local,
                        stageRate,
                        100 * stageRate / local,
                        100 * r.workSeconds() / stageSeconds,
                        r.seconds() - stageSeconds);
                System.out.println(row);
                md.append(row).append('\n');
            }
        } finally {
            spark.stop();
        }
        return md.toString();
    }

    /** A new warehouse of {@code images} benchmark canvases and the settings that explain them with {@code spec}. */
    static ExplainStage pipelineRun(SparkSession spark, Options o, ModelCard card, String spec, int images)
            throws IOException {
        return pipelineRun(spark, o, card, List.of(spec), images, Maps.Storage.DEFAULT, 64);
    }

    /**
     * A new warehouse of {@code images} benchmark canvases ({@code canvas} pixels a side, resized to the
     * model's input when they differ) and the settings that explain them with {@code specs}.
     */
    static ExplainStage pipelineRun(
            SparkSession spark,
            Options o,
            ModelCard card,
            List<String> specs,
            int images,
            Maps.Storage storage,
            int canvas)
            throws IOException {
        Path wh = Files.createTempDirectory("xai-bench-warehouse");
        IngestJob.ingestBenchmark(spark, wh.toString(), o.get("fashion-mnist"), "test", images, canvas, 1, 1);
        StageSettings stage = new StageSettings(
                wh.toString(),
                new ModelRef(o.get("model"), card.key(), null, o.getInt("internal-batch-size", 1, 65536)),
                o.getInt("batch-size", 1, 4096),
                1,
                Long.MAX_VALUE,
                false);
        return new ExplainStage(
                new ExplainStage.Settings(stage, specs, List.of(TargetRule.PREDICTED), Selection.ALL, storage), card);
    }
}
