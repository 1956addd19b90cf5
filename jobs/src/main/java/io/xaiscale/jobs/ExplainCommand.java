package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.stage.ExplainKnobs;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import java.util.List;

/** {@code xai explain}: the explanations table for a model and a list of methods. */
public final class ExplainCommand implements Command {
    @Override
    public String name() {
        return "explain";
    }

    @Override
    public String summary() {
        return "explain every image with every method (Spark), MERGE into the explanations table";
    }

    @Override
    public Options options() {
        return ExplainKnobs.storage(
                ExplainKnobs.methodsAndTarget(Defaults.selection(Defaults.model(Defaults.spark(new Options(name()))))));
    }

    /** The stage of these options, validated on the driver before Spark starts. */
    static ExplainStage stage(Options o) throws Exception {
        return Plan.of(o).explain(o);
    }

    @Override
    public void run(Options o) throws Exception {
        ExplainStage stage = stage(o);
        withSession(o, spark -> {
            StageRunner.runInOrder(spark, List.of(stage));
        });
    }
}
