package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.stage.Stage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.metric.Metrics;
import java.util.List;

/** {@code xai evaluate}: the metrics table for the explanations of a model. */
public final class EvaluateCommand implements Command {
    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "score every explanation with every metric (Spark), MERGE into the metrics table; then method agreement";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())))
                .add(
                        "metrics",
                        Metrics.DEFAULT_METRICS,
                        "metrics, e.g. 'iou[threshold=fraction_of_max,value=0.5]' (valid: "
                                + String.join(", ", Metrics.names()) + ")")
                .bool("agreement", true, "also fill the method_agreement table (the agreement stage)");
    }

    /** The stages of these options (evaluate, then method agreement unless --agreement false), validated before Spark starts. */
    static List<Stage> stages(Options o) throws Exception {
        return Plan.of(o).evaluateAndAgreement(o);
    }

    @Override
    public void run(Options o) throws Exception {
        List<Stage> stages = stages(o);
        withSession(o, spark -> {
            StageRunner.runInOrder(spark, stages);
        });
    }
}
