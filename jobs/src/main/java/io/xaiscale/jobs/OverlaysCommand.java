package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.overlay.OverlayJob;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import java.nio.file.Path;
import java.util.List;

/** {@code xai overlays}: heatmap grids (PNG + index.html) for a sample of explained images. */
public final class OverlaysCommand implements Command {
    @Override
    public String name() {
        return "overlays";
    }

    @Override
    public String summary() {
        return "draw heatmap overlays (one PNG grid per image, every method) for a sample of images";
    }

    @Override
    public Options options() {
        return Defaults.spark(new Options(name()))
                .path("model", Defaults.MODEL, "model directory whose explanations to draw")
                .path("out", "overlays", "output folder")
                .add("count", "8", "number of images")
                .add("scale", "3", "upscaling of each tile")
                .add(
                        "colors",
                        "magnitude",
                        "magnitude (jet of |map|, the literature's default), signed (red for, blue against the class) or"
                                + " auto (signed for maps with negative values, magnitude for non-negative, CAM-style ones)")
                .add(
                        "on",
                        "input",
                        "input (the model's input) or original (the original image, maps taken back through the "
                                + "preprocessing geometry)");
    }

    @Override
    public void run(Options o) throws Exception {
        Overlay.Colors colors = Overlay.Colors.parse(o.get("colors"));
        Overlay.View view = Overlay.View.parse(o.get("on"));
        ModelCard card = ModelCard.read(ModelFiles.localize(o.get("model"), ModelFiles.driverConf()));
        withSession(o, spark -> {
            List<Path> files = OverlayJob.render(
                    spark,
                    o.get("warehouse"),
                    card,
                    Path.of(o.get("out")),
                    o.getInt("count", 1, 10000),
                    o.getInt("scale", 1, 16),
                    colors,
                    view);
            System.out.printf(
                    "[overlays] %d grid(s) in %s (open index.html)%n",
                    files.size(), Path.of(o.get("out")).toAbsolutePath());
        });
    }
}
