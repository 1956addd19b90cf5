package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.stage.PredictStage;
import io.xaiscale.jobs.stage.StageRunner;
import java.util.List;

/** {@code xai predict}: the model's top classes per image, into the {@code predictions} table. */
public final class PredictCommand implements Command {
    @Override
    public String name() {
        return "predict";
    }

    @Override
    public String summary() {
        return "the model's top-k classes and probabilities per image (Spark): accuracy, confusion and calibration in SQL";
    }

    @Override
    public Options options() {
        return Defaults.selection(Defaults.model(Defaults.spark(new Options(name()))))
                .add("top-k", "5", "classes kept per image, most probable first (at most the model's classes)");
    }

    /** The stage, checked on the driver. */
    static PredictStage stage(Options o) throws Exception {
        Plan plan = Plan.of(o);
        var card = plan.card();
        return new PredictStage(
                new PredictStage.Settings(
                        plan.settings(), o.getInt("top-k", 1, 1000), Defaults.selection(o, card.classes())),
                card);
    }

    @Override
    public void run(Options o) throws Exception {
        PredictStage stage = stage(o);
        withSession(o, spark -> {
            StageRunner.runInOrder(spark, List.of(stage));
        });
    }
}
