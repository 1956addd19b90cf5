package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.stage.AgreementStage;
import io.xaiscale.jobs.stage.StageRunner;
import java.util.List;

/** {@code xai agreement}: the method-agreement table for the explanations of a model (also run by evaluate). */
public final class AgreementCommand implements Command {
    @Override
    public String name() {
        return "agreement";
    }

    @Override
    public String summary() {
        return "compare the maps of every pair of methods per image (Spark), MERGE into the method_agreement table";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())));
    }

    static AgreementStage stage(Options o) throws Exception {
        return Plan.of(o).agreement();
    }

    @Override
    public void run(Options o) throws Exception {
        AgreementStage stage = stage(o);
        withSession(o, spark -> {
            StageRunner.runInOrder(spark, List.of(stage));
        });
    }
}
