package io.xaiscale.bench;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ml.ImageExplainer;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCard;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The bench's "ml" section: the same images and methods through the explain job (pending items, the
 * stage, a Delta MERGE) and through the Spark ML stage {@code ImageExplainer} on a frame of the images'
 * bytes (the stage, the join back to the input rows, written to Spark's no-op sink), on Spark local[1]:
 * the stage's wrapper around the shared executor work should cost about what the job's does.
 */
final class MlSection {
    static final List<String> METHODS = List.of("gradient", "grad_cam");

    private MlSection() {}

    static String section(Options o, ModelCard card, int images) throws Exception {
        SparkSession spark = Sessions.create("xai-bench-ml", "local[1]");
        try {
            System.out.println("[bench] warm-up ml runs (not recorded)");
            rates(spark, o, card, 64);
            double[] r = rates(spark, o, card, images);
            String row = String.format(
                    "| %d | %s /s | %s /s | %.2f |", images, Timing.sig3(r[0]), Timing.sig3(r[1]), r[1] / r[0]);
            System.out.println(row);
            return String.format(
                    "%n## The Spark ML stage against the explain job%n%n"
                            + "Spark local[1] (one task thread, one libtorch thread), benchmark canvases, methods %s, batch"
                            + " size %s: images x methods per second of wall time for `xai explain`'s stage run (finding the"
                            + " pending items, computing, MERGE into a new Delta table) and for `ImageExplainer.transform` on"
                            + " a frame of the same images' bytes (computing through the same executor code, joining the"
                            + " maps back to the input rows, written to the no-op sink), one run of each in turn.%n%n"
                            + "| images | explain job | ImageExplainer | ratio |%n|---|---|---|---|%n%s%n",
                    String.join(", ", METHODS), o.get("batch-size"), row);
        } finally {
            spark.stop();
        }
    }

    /** Images x methods per second: the job's run, then the ML stage over the same images. */
    static double[] rates(SparkSession spark, Options o, ModelCard card, int images) throws Exception {
        ExplainStage s = PipelineSection.pipelineRun(spark, o, card, METHODS, images, Maps.Storage.DEFAULT, 64);
        StageRunner.Result job = StageRunner.run(spark, s);
        Dataset<Row> bytes = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(s.settings().warehouse()))
                .where("error IS NULL")
                .select("content");
        long n = bytes.count() * METHODS.size();
        long t0 = System.nanoTime();
        new ImageExplainer()
                .setModelPath(o.get("model"))
                .setMethods(METHODS.toArray(new String[0]))
                .setBatchSize(o.getInt("batch-size", 1, 4096))
                .setInternalBatchSize(o.getInt("internal-batch-size", 1, 65536))
                .setNumPartitions(1)
                .transform(bytes)
                .write()
                .format("noop")
                .mode("overwrite")
                .save();
        double ml = n / ((System.nanoTime() - t0) / 1e9);
        return new double[] {job.pending() / job.seconds(), ml};
    }
}
