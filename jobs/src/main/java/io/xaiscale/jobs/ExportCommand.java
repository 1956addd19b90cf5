package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.export.MapsExport;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code xai export}: the maps of selected explanations (by method, image ids or a SQL filter) to
 * {@code maps.npz} for numpy and to PNG overlays. Conventions, also written to {@code index.json}:
 * {@code image_ids} lists the images in order; each method configuration is one float32 array
 * {@code [images, height, width]} at the model's input resolution, holding the raw signed map as the
 * method produced it (colour channels summed), NaN where that method has no map for the image.
 */
public final class ExportCommand implements Command {
    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write the maps of selected explanations to maps.npz (numpy) and PNG overlays";
    }

    @Override
    public Options options() {
        return Defaults.spark(new Options(name()))
                .path("model", Defaults.MODEL, "model whose explanations to export")
                .path("out", "export", "output folder (maps.npz, index.json, overlays/)")
                .add("methods", "", "method names or full specs to export, comma-separated (empty: all)")
                .add("images", "", "image ids or id prefixes, comma-separated (empty: all)")
                .add("where", "", "extra SQL filter on the explanations table, e.g. \"target_class = 3\"")
                .add("limit", "100", "at most this many images (the first by image id)")
                .bool("png", true, "also draw PNG overlays")
                .add("scale", "3", "upscaling of each overlay tile")
                .add(
                        "colors",
                        "magnitude",
                        "overlay colours: magnitude (jet of |map|), signed (red for, blue against) or auto (signed for maps"
                                + " with negative values, magnitude for the others)")
                .add(
                        "on",
                        "input",
                        "overlays on the model's input, or on the original image (maps taken back through "
                                + "the preprocessing geometry)");
    }

    @Override
    public void run(Options o) throws Exception {
        ModelCard card = ModelCard.read(ModelFiles.localize(o.get("model"), ModelFiles.driverConf()));
        boolean png = Boolean.parseBoolean(o.getChoice("png", List.of("true", "false")));
        withSession(o, spark -> {
            MapsExport.Result r = MapsExport.write(
                    spark,
                    o.get("warehouse"),
                    card,
                    Path.of(o.get("out")),
                    o.get("methods"),
                    o.get("images"),
                    o.get("where"),
                    o.getInt("limit", 1, 1_000_000),
                    png ? o.getInt("scale", 1, 16) : 0,
                    Overlay.Colors.parse(o.get("colors")),
                    Overlay.View.parse(o.get("on")));
            System.out.printf(
                    "[export] %d image(s) x %d method configuration(s) -> %s%n",
                    r.images(), r.methods(), r.npz().toAbsolutePath());
        });
    }
}
