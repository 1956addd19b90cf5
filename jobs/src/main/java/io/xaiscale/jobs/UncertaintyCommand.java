package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.internals.McDropout;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.jobs.stage.UncertaintyStage;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.ModelCard;
import java.util.List;

/** {@code xai uncertainty}: Monte-Carlo dropout over the images, into the {@code uncertainty} table. */
public final class UncertaintyCommand implements Command {
    @Override
    public String name() {
        return "uncertainty";
    }

    @Override
    public String summary() {
        return "Monte-Carlo dropout per image (Spark): mean probability, entropy and mutual information over T passes";
    }

    @Override
    public Options options() {
        return Defaults.selection(Defaults.model(Defaults.spark(new Options(name()))))
                .add("passes", "20", "stochastic forward passes per image (dropout on, BatchNorm in eval mode)")
                .add("seed", "0", "seed of the dropout masks (with the image id: the same draws whatever the batch)");
    }

    /** The stage, checked on the driver; says so when the model has no dropout layer. */
    static UncertaintyStage stage(Options o) throws Exception {
        Plan plan = Plan.of(o);
        var card = plan.card();
        if (!ModelCard.TORCHSCRIPT.equals(card.format())
                && McDropout.count(Architectures.build(card).block()) == 0) {
            System.out.println("[uncertainty] model " + card.key() + " has no dropout layer: every pass is the same,"
                    + " the spread and the mutual information will be 0 (the rows say so)");
        }
        return new UncertaintyStage(
                new UncertaintyStage.Settings(
                        plan.settings(),
                        o.getInt("passes", 2, 1000),
                        o.getLong("seed"),
                        Defaults.selection(o, card.classes())),
                card);
    }

    @Override
    public void run(Options o) throws Exception {
        UncertaintyStage stage = stage(o);
        withSession(o, spark -> {
            StageRunner.runInOrder(spark, List.of(stage));
        });
    }
}
