package io.xaiscale.jobs.internals;

import ai.djl.nn.convolutional.Conv2d;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.internals.Kernels;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.model.Classifier;
import io.xaiscale.render.UnitGrid;
import io.xaiscale.util.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A model's convolution kernels, their change over the checkpoints of a training run, and the
 * activation maps of given images, as grid PNGs (on the driver, no Spark).
 */
public final class Filters {
    private Filters() {}

    /**
     * The model (a directory or URI), its layers to draw, image files and the layers of their activation
     * maps (comma-separated; '' for every convolution, none, the last feature layer), the PNGs' folder.
     */
    public record Settings(String model, String layers, String images, String activationLayers, Path out) {}

    /**
     * Draws the kernels of {@code s.layers()} (every convolution when empty), their rows per checkpoint when
     * the model was trained with checkpoints, and the activation maps of {@code s.images()}; returns the PNGs.
     */
    public static List<Path> draw(Settings s) throws Exception {
        Path dir = ModelFiles.localize(ModelFiles.qualify(s.model()), ModelFiles.driverConf());
        Path out = s.out();
        List<Path> written = new ArrayList<>();
        try (Classifier model = Classifier.load(dir)) {
            String prefix =
                    FileNames.safe(model.card().id() + "-" + model.card().version());
            List<String> layers = split(s.layers());
            if (layers.isEmpty()) {
                for (String l : model.featureLayers()) {
                    if (model.layerBlock(l) instanceof Conv2d) {
                        layers.add(l);
                    }
                }
            }
            // every name checked before anything is drawn
            List<Kernels.Weights> weights = new ArrayList<>();
            for (String l : layers) {
                weights.add(Kernels.of(model, l));
            }
            List<String> actLayers = split(s.activationLayers());
            if (actLayers.isEmpty()) {
                actLayers.add(model.featureLayers().get(model.featureLayers().size() - 1));
            }
            actLayers.forEach(model::layerIndex);
            Files.createDirectories(out);
            for (int i = 0; i < layers.size(); i++) {
                Kernels.Weights w = weights.get(i);
                String caption = model.card().key() + ", " + layers.get(i) + ": " + w.out() + " kernels " + w.in()
                        + "x" + w.kh() + "x" + w.kw()
                        + (w.in() == 1 || w.in() == 3 ? " (grey = 0)" : " (L2 norm per input channel)");
                written.add(write(
                        out.resolve(FileNames.safe(prefix + "-" + layers.get(i) + "-kernels") + ".png"),
                        caption,
                        Kernels.tiles(w),
                        w.in() <= 3 ? 16 : 8));
            }
            // a training run with --checkpoints: each layer's kernels over the epochs, one row per checkpoint
            List<Path> epochs = checkpoints(dir);
            if (!epochs.isEmpty()) {
                List<Classifier> models = new ArrayList<>();
                try {
                    for (Path e : epochs) {
                        models.add(Classifier.load(e));
                    }
                    for (int i = 0; i < layers.size(); i++) {
                        Kernels.Weights w = weights.get(i);
                        written.add(write(
                                out.resolve(FileNames.safe(prefix + "-" + layers.get(i) + "-kernels-over-training")
                                        + ".png"),
                                model.card().key() + ", " + layers.get(i) + ": kernels per checkpoint",
                                Kernels.overTraining(models, layers.get(i)),
                                w.out(),
                                w.in() <= 3 ? 12 : 4));
                    }
                } finally {
                    models.forEach(Classifier::close);
                }
            }
            for (String image : split(s.images())) {
                byte[] bytes = Files.readAllBytes(Path.of(image));
                float[] x = new float[model.channels() * model.height() * model.width()];
                ImageCodec.toTensor(
                        bytes,
                        model.channels(),
                        model.height(),
                        model.width(),
                        model.card().geometry(),
                        x,
                        0);
                String name = Path.of(image).getFileName().toString().replaceAll("\\.[^.]*$", "");
                for (String l : actLayers) {
                    written.add(write(
                            out.resolve(FileNames.safe(prefix + "-" + name + "-" + l + "-activations") + ".png"),
                            model.card().key() + ", " + name + ", " + l + ": activation maps (each by its maximum)",
                            Kernels.activations(model, x, l),
                            4));
                }
            }
        }
        return written;
    }

    private static Path write(Path p, String caption, List<UnitGrid.Tile> tiles, int scale) throws Exception {
        return write(p, caption, tiles, 8, scale);
    }

    private static Path write(Path p, String caption, List<UnitGrid.Tile> tiles, int columns, int scale)
            throws Exception {
        Files.write(p, ImageCodec.png(UnitGrid.of(caption, tiles, columns, scale)));
        return p;
    }

    /** The checkpoints of {@code train --checkpoints} under {@code dir/epochs}, by epoch. */
    public static List<Path> checkpoints(Path dir) throws IOException {
        Path epochs = dir.resolve("epochs");
        if (!Files.isDirectory(epochs)) {
            return List.of();
        }
        try (var s = Files.list(epochs)) {
            return s.filter(p -> p.getFileName().toString().matches("[0-9]+") && Files.exists(p.resolve("model.json")))
                    .sorted(Comparator.comparingInt(
                            p -> Integer.parseInt(p.getFileName().toString())))
                    .toList();
        }
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }
}
