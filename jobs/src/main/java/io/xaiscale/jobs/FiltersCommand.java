package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.internals.Filters;
import java.nio.file.Path;

/**
 * {@code xai filters}: a model's convolution kernels and, for given images, its activation maps, as
 * grid PNGs (no Spark). Run it on each checkpoint of {@code train --checkpoints} to watch the
 * features form over training.
 */
public final class FiltersCommand implements Command {
    @Override
    public String name() {
        return "filters";
    }

    @Override
    public String summary() {
        return "draw a model's convolution kernels and the activation maps of given images as grid PNGs";
    }

    @Override
    public Options options() {
        return new Options(name())
                .path("model", Defaults.MODEL, "model directory (model.json + weights) or s3a:// URI")
                .add("layers", "", "convolution layers whose kernels to draw ('': every one)")
                .add("images", "", "image files whose activation maps to draw at --activation-layers ('': none)")
                .add("activation-layers", "", "feature layers of the activation maps ('': the last)")
                .path("out", "overlays/filters", "directory of the PNGs");
    }

    @Override
    public void run(Options o) throws Exception {
        for (Path p : Filters.draw(new Filters.Settings(
                o.get("model"), o.get("layers"), o.get("images"), o.get("activation-layers"), Path.of(o.get("out"))))) {
            System.out.println("[filters] wrote " + p);
        }
    }
}
