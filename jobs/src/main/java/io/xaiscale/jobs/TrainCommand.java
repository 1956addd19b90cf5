package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.train.Trainer;
import java.nio.file.Path;

/** {@code xai train}: trains the small CNN on the Fashion-MNIST localisation benchmark (no Spark). */
public final class TrainCommand implements Command {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train the small CNN on the Fashion-MNIST localisation benchmark and write weights + model card";
    }

    @Override
    public Options options() {
        Trainer.Settings d = Trainer.Settings.defaults();
        return new Options(name())
                .path("out", "models/" + d.modelId(), "model directory to write (model.json + weights)")
                .path("fashion-mnist", FashionMnist.DEFAULT_DIR.toString(), "directory of the Fashion-MNIST idx files")
                .add("model-id", d.modelId(), "model id recorded in the card")
                .add("version", d.version(), "model version recorded in the card")
                .add("train-images", String.valueOf(d.trainImages()), "number of training canvases")
                .add("test-images", String.valueOf(d.testImages()), "number of held-out test canvases")
                .add("epochs", String.valueOf(d.epochs()), "training epochs")
                .add(
                        "architecture",
                        d.architecture(),
                        "small_cnn, small_cnn_dropout (dropout 0.5 before the dense layer: Monte-Carlo dropout), or vit"
                                + " (a small Vision Transformer: patches of 8, 4 layers of 4 heads, hidden 64, MLP 128)")
                .add(
                        "learning-rate",
                        "",
                        "Adam's learning rate (empty: the architecture's, 2e-3 for the CNNs, 1e-3 for the ViT)")
                .add("batch-size", String.valueOf(d.batchSize()), "training batch size")
                .add("seed", String.valueOf(d.seed()), "seed of data generation, order and initialisation")
                .flag("shuffle-labels", "train on randomly permuted labels (for the data-randomisation sanity check)")
                .flag(
                        "checkpoints",
                        "also save each epoch's weights as OUT/epochs/K, version <version>-epoch<K> of the same model id"
                                + " (to watch kernels, units and explanations form over training)")
                .add(
                        "watermark-class",
                        "-1",
                        "a bright corner mark on every canvas of this class (-1: none): a shortcut for the audits to find");
    }

    private static float learningRate(Options o) {
        String given = o.get("learning-rate").trim();
        if (given.isEmpty()) {
            return Trainer.defaultLearningRate(o.get("architecture"));
        }
        try {
            float lr = Float.parseFloat(given);
            if (lr > 0 && lr < 1) {
                return lr;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("Invalid --learning-rate: " + given + " (a number in (0, 1), e.g. 0.001)");
    }

    @Override
    public void run(Options o) throws Exception {
        Trainer.Settings d = Trainer.Settings.defaults();
        Trainer.Settings s = new Trainer.Settings(
                o.get("model-id"),
                o.get("version"),
                o.getInt("train-images", 100, 60000),
                o.getInt("test-images", 100, 10000),
                o.getInt("epochs", 1, 1000),
                o.getInt("batch-size", 1, 4096),
                learningRate(o),
                o.getLong("seed"),
                d.canvas(),
                o.getFlag("shuffle-labels"),
                o.getInt("watermark-class", -1, 9),
                o.getFlag("checkpoints"),
                o.getChoice("architecture", Trainer.ARCHITECTURES));
        Trainer.train(
                Path.of(o.get("fashion-mnist")), Path.of(o.get("out")), s, msg -> System.out.println("[train] " + msg));
        System.out.println("[train] wrote " + Path.of(o.get("out")).toAbsolutePath());
    }
}
