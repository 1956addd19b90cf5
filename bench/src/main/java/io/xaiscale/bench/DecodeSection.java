package io.xaiscale.bench;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.runtime.DecodeAhead;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCard;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The bench's "decode" section: the explain stage with images decoded on the task thread
 * ({@code spark.xaiscale.decodeAhead=0}) and one batch ahead on a helper thread (1, the default), on
 * Spark local[1] (one task thread, one libtorch thread): small canvases (decoding is cheap next to the
 * model) and large ones resized to the model's input (decoding dominates, as on a GPU executor).
 */
final class DecodeSection {
    static final List<Integer> CANVASES = List.of(64, 448);
    static final List<String> METHODS = List.of("gradient", "grad_cam");

    private DecodeSection() {}

    static String section(Options o, ModelCard card, int images) throws Exception {
        SparkSession spark = Sessions.create("xai-bench-decode", "local[1]");
        try {
            System.out.println("[bench] warm-up decode run (not recorded)");
            rate(spark, o, card, 64, 64, 0);
            StringBuilder md = new StringBuilder(String.format(
                    "%n## Decoding ahead: the explain stage with and without a decode thread%n%n"
                            + "Spark local[1] (one task thread, one libtorch thread), %d benchmark canvases (PNG) per run, methods"
                            + " %s, a new warehouse per run; the stage's images x methods per second with `%s=0` (decoded on"
                            + " the task thread) and `=1` (the next batch decoded on a helper thread while this one computes), in"
                            + " one run of each, in turn. 448-pixel canvases are decoded and resized to the model's 64x64"
                            + " input: decoding then costs about as much as a cheap method, the case of a GPU executor.%n%n"
                            + "| canvas | decoded on the task thread | one batch ahead | ratio |%n|---|---|---|---|%n",
                    images, String.join(", ", METHODS), DecodeAhead.CONF));
            for (int canvas : CANVASES) {
                double off = rate(spark, o, card, canvas, images, 0);
                double on = rate(spark, o, card, canvas, images, 1);
                String row = String.format(
                        "| %dx%d | %s /s | %s /s | %.2f |",
                        canvas, canvas, Timing.sig3(off), Timing.sig3(on), on / off);
                System.out.println(row);
                md.append(row).append('\n');
            }
            return md.toString();
        } finally {
            spark.conf().unset(DecodeAhead.CONF);
            spark.stop();
        }
    }

    /** Images x methods per second of the explain stage, decoding {@code ahead} batches ahead. */
    static double rate(SparkSession spark, Options o, ModelCard card, int canvas, int images, int ahead)
            throws Exception {
        spark.conf().set(DecodeAhead.CONF, String.valueOf(ahead));
        ExplainStage s = PipelineSection.pipelineRun(spark, o, card, METHODS, images, Maps.Storage.DEFAULT, canvas);
        StageRunner.Result r = StageRunner.run(spark, s);
        return r.pending() / r.stageSeconds();
    }
}
