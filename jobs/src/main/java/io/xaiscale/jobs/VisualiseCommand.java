package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.internals.ActivationMaximisation;
import io.xaiscale.jobs.internals.UnitGrids;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.jobs.stage.VisualiseStage;
import io.xaiscale.model.Classifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * {@code xai visualise}: what units of the network respond to (activation maximisation), one row per
 * unit in the {@code unit_visualisations} table, computed on the executors, and one grid PNG per
 * layer.
 */
public final class VisualiseCommand implements Command {
    @Override
    public String name() {
        return "visualise";
    }

    @Override
    public String summary() {
        return "visualise units of a model's layers by activation maximisation (Spark), MERGE into unit_visualisations";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())))
                .add(
                        "layers",
                        ActivationMaximisation.LOGITS,
                        "layers whose units to visualise: logits (the classes) or feature layers")
                .add("units", "all", "units of each layer: all, or indices and ranges such as 0-7,12")
                .add(
                        "visualisation",
                        ActivationMaximisation.NAME,
                        "the visualisation, e.g. 'activation_max[steps=256,octaves=3,blur_every=4]'")
                .path("out", "overlays/units", "directory of the grid PNG per layer ('' for none)");
    }

    /** The stage of these options: layers and units checked against the model on the driver. */
    static VisualiseStage stage(Options o) throws Exception {
        Plan plan = Plan.of(o);
        ActivationMaximisation am = ActivationMaximisation.fromString(o.get("visualisation"));
        if (am.startsFromImages()) {
            throw new IllegalArgumentException("Invalid --visualisation: " + am.spec()
                    + " (init=image visualises given images: use init=noise for units)");
        }
        LinkedHashMap<String, List<Integer>> units = new LinkedHashMap<>();
        Path dir = ModelFiles.localize(ModelFiles.qualify(o.get("model")), ModelFiles.driverConf());
        try (Classifier model = Classifier.load(dir)) {
            for (String layer : o.get("layers").split(",")) {
                String l = layer.trim();
                if (l.isEmpty()) {
                    continue;
                }
                ActivationMaximisation.check(model, l, new int[0], -1, -1);
                List<Integer> chosen = parseUnits(o.get("units"), ActivationMaximisation.units(model, l));
                ActivationMaximisation.check(
                        model, l, chosen.stream().mapToInt(Integer::intValue).toArray(), -1, -1);
                units.put(l, chosen);
            }
        }
        if (units.isEmpty()) {
            throw new IllegalArgumentException("Invalid --layers: '" + o.get("layers") + "' (name at least one layer)");
        }
        return new VisualiseStage(new VisualiseStage.Settings(plan.settings(), am.spec(), units), plan.card());
    }

    /** {@code all} (0..n-1) or a list of indices and ranges {@code a-b}; fails naming the value. */
    static List<Integer> parseUnits(String spec, int n) {
        List<Integer> out = new ArrayList<>();
        if (spec.trim().equals("all")) {
            for (int i = 0; i < n; i++) {
                out.add(i);
            }
            return out;
        }
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
                for (int i = from; i <= to; i++) {
                    if (!out.contains(i)) {
                        out.add(i);
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Invalid --units: " + spec + " (all, or indices and ranges such as 0-7,12)");
            }
        }
        return out;
    }

    @Override
    public void run(Options o) throws Exception {
        VisualiseStage stage = stage(o);
        withSession(o, spark -> {
            StageRunner.runInOrder(spark, List.of(stage));
            if (!o.get("out").isEmpty()) {
                for (Path p : UnitGrids.write(spark, stage, Path.of(o.get("out")))) {
                    System.out.println("[visualise] wrote " + p);
                }
            }
        });
    }
}
