package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.internals.DissectJob;
import io.xaiscale.jobs.internals.DissectionPicture;
import io.xaiscale.model.Architectures;
import java.nio.file.Path;

/**
 * {@code xai dissect}: Network Dissection of one layer over the images table: which units detect
 * objects of which class, and which fire on the background ({@code unit_dissection},
 * {@code dissection.sql}).
 */
public final class DissectCommand implements Command {
    @Override
    public String name() {
        return "dissect";
    }

    @Override
    public String summary() {
        return "score every unit of a layer by the IoU of its thresholded activations with each class's boxes (Spark)";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())))
                .add("layer", "", "feature layer to dissect ('': the card's CAM layer, else the last)")
                .add("quantile", "0.995", "a unit's mask is where its activation exceeds this quantile of its values")
                .add("sample-images", "512", "images whose activations set the thresholds")
                .path(
                        "out",
                        "overlays/dissection",
                        "directory of the PNG of the top units and their strongest images ('' for none)");
    }

    /** The settings, checked on the driver: the layer exists, the quantile is in (0, 1). */
    static DissectJob.Settings settings(Options o, Plan plan) {
        String layer = o.get("layer");
        var card = plan.card();
        var layers = Architectures.featureLayers(card);
        if (layer.isEmpty()) {
            layer = card.camLayer() != null ? card.camLayer() : layers.get(layers.size() - 1);
        }
        if (!layers.contains(layer)) {
            throw new IllegalArgumentException("Unknown layer for dissect: " + layer + " (valid for " + card.key()
                    + ": " + String.join(", ", layers) + ")");
        }
        double q = o.getDouble("quantile", 0.5, 1.0);
        return new DissectJob.Settings(
                plan.settings().warehouse(),
                plan.settings().model(),
                layer,
                q,
                o.getInt("sample-images", 1, 1_000_000),
                plan.settings().batchSize());
    }

    @Override
    public void run(Options o) throws Exception {
        Plan plan = Plan.of(o);
        DissectJob.Settings s = settings(o, plan);
        withSession(o, spark -> {
            DissectJob.Outcome out = DissectJob.run(spark, s, plan.card());
            System.out.printf(
                    "[dissect] %s, layer %s: %d unit x concept row(s) written%n",
                    plan.card().key(), s.layer(), out.rows());
            if (!o.get("out").isEmpty()) {
                System.out.println(
                        "[dissect] wrote " + DissectionPicture.draw(spark, plan.card(), s, out, Path.of(o.get("out"))));
            }
        });
    }
}
