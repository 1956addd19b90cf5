package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.TargetRule;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.runtime.ModelRef;
import io.xaiscale.jobs.stage.AgreementStage;
import io.xaiscale.jobs.stage.EvaluateStage;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.Selection;
import io.xaiscale.jobs.stage.Stage;
import io.xaiscale.jobs.stage.StageSettings;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.MapCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The stages a command runs, built from its options on the driver before Spark starts: the model card
 * is read, and every method, metric and option is validated, so a wrong value fails at once naming
 * the value and the valid choices.
 */
record Plan(ModelCard card, StageSettings settings) {

    /** The model and the settings every stage shares ({@link Defaults#model}). */
    static Plan of(Options o) throws Exception {
        ModelRef.Checked model = ModelRef.check(o.get("model"), o.getInt("internal-batch-size", 1, 65536));
        StageSettings s = new StageSettings(
                o.get("warehouse"),
                model.ref(),
                o.getInt("batch-size", 1, 4096),
                o.getInt("partitions", 0, 100000),
                o.getInt("commit-every", 1, Integer.MAX_VALUE),
                o.getFlag("retry-errors"));
        return new Plan(model.card(), s);
    }

    /** The explain stage of {@code --methods} and {@code --target}. */
    ExplainStage explain(Options o) {
        List<Explainer> methods = Explainers.listFor(o.get("methods"), card);
        List<TargetRule> targets = TargetRule.parseList(o.get("target"));
        ExplainStage.validate(methods, targets, card);
        List<String> specs = methods.stream().map(Explainer::spec).toList();
        Selection selection = Defaults.selection(o, card.classes());
        Maps.Storage storage = new Maps.Storage(
                MapCodec.Precision.of(o.getChoice("map-precision", MapCodec.Precision.SPECS)),
                Maps.Resolution.of(o.getChoice("map-resolution", Maps.Resolution.SPECS)));
        return new ExplainStage(new ExplainStage.Settings(settings, specs, targets, selection, storage), card);
    }

    /** The evaluate stage of {@code --metrics}. */
    EvaluateStage evaluate(Options o) {
        List<String> specs = Metrics.listFromString(o.get("metrics")).stream()
                .map(Metric::spec)
                .toList();
        return new EvaluateStage(new EvaluateStage.Settings(settings, specs), card);
    }

    AgreementStage agreement() {
        return new AgreementStage(settings, card);
    }

    /** Evaluate, then method agreement unless {@code --agreement false}. */
    List<Stage> evaluateAndAgreement(Options o) {
        List<Stage> out = new ArrayList<>(List.of(evaluate(o)));
        if (o.getFlag("agreement")) {
            out.add(agreement());
        }
        return out;
    }
}
