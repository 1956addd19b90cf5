package io.xaiscale.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import io.xaiscale.model.Vit;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains the project's small CNN on the Fashion-MNIST localisation benchmark (CPU, minutes) and
 * writes the weights and a model card. Seeded: the same settings give the same model.
 */
public final class Trainer {

    /** Training settings; every field is recorded in the card. */
    public record Settings(
            String modelId,
            String version,
            int trainImages,
            int testImages,
            int epochs,
            int batchSize,
            float learningRate,
            long seed,
            int canvas,
            boolean shuffleLabels,
            int watermarkClass,
            boolean checkpoints,
            String architecture) {
        public static Settings defaults() {
            return new Settings(
                    "fmnist-loc-cnn",
                    "1",
                    40000,
                    2000,
                    8,
                    64,
                    2e-3f,
                    7L,
                    LocalizationBenchmark.DEFAULT_CANVAS,
                    false,
                    -1,
                    false,
                    Architectures.SMALL_CNN);
        }
    }

    /** What {@code xai train} trains: the small CNN (with dropout for Monte-Carlo dropout) and a small ViT. */
    public static final List<String> ARCHITECTURES =
            List.of(Architectures.SMALL_CNN, Architectures.SMALL_CNN_DROPOUT, Vit.VIT);

    /**
     * The shape of the ViT {@code xai train --architecture vit} trains on 64 x 64 canvases: patches of 8
     * (an 8 x 8 grid), 4 layers of 4 heads, hidden 64, MLP 128.
     */
    public static final Vit.Config VIT = new Vit.Config(8, 4, 4, 64, 128);

    /** The learning rate of an architecture when none is given: the defaults' (2e-3) for the CNNs, 1e-3 for the ViT. */
    public static float defaultLearningRate(String architecture) {
        return Vit.VIT.equals(architecture) ? 1e-3f : Settings.defaults().learningRate();
    }

    private Trainer() {}

    /**
     * Trains, saves to {@code outDir} and returns the card (with the test accuracy). With
     * {@code checkpoints}, each epoch's weights are saved too, as {@code outDir/epochs/K}: a model of
     * the same id whose version is {@code <version>-epoch<K>} and whose card records {@code
     * training.epoch}, so explanations, metrics and unit visualisations follow the features forming.
     */
    public static ModelCard train(Path mnistDir, Path outDir, Settings s, Consumer<String> log) throws IOException {
        FashionMnist.Split trainSrc = FashionMnist.read(mnistDir, "train");
        FashionMnist.Split testSrc = FashionMnist.read(mnistDir, "test");
        LocalizationBenchmark trainBench =
                new LocalizationBenchmark(trainSrc, s.canvas(), s.seed(), s.watermarkClass());
        LocalizationBenchmark testBench =
                new LocalizationBenchmark(testSrc, s.canvas(), s.seed() + 1, s.watermarkClass());
        int hw = s.canvas() * s.canvas();
        float[] trainX = new float[s.trainImages() * hw];
        int[] trainY = new int[s.trainImages()];
        fill(trainBench, trainX, trainY);
        if (s.shuffleLabels()) {
            shuffle(trainY, new Random(s.seed() ^ 0x5EEDL));
        }
        double sum = 0;
        double sq = 0;
        for (float v : trainX) {
            sum += v;
            sq += v * v;
        }
        float mean = (float) (sum / trainX.length);
        float std = (float) Math.sqrt(sq / trainX.length - mean * mean);

        Engine.getInstance().setRandomSeed((int) s.seed());
        if (!ARCHITECTURES.contains(s.architecture())) {
            throw new IllegalArgumentException("Invalid architecture to train: " + s.architecture() + " (valid: "
                    + String.join(", ", ARCHITECTURES) + ")");
        }
        Architectures.Built built = Vit.VIT.equals(s.architecture())
                ? Vit.build(VIT, s.canvas(), s.canvas(), FashionMnist.CLASS_NAMES.size())
                : Architectures.build(s.architecture(), FashionMnist.CLASS_NAMES.size());
        try (Model model = Model.newInstance(s.modelId(), "PyTorch")) {
            model.setBlock(built.block());
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam()
                            .optLearningRateTracker(Tracker.fixed(s.learningRate()))
                            .build());
            try (ai.djl.training.Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(s.batchSize(), 1, s.canvas(), s.canvas()));
                Random order = new Random(s.seed());
                int[] idx = new int[s.trainImages()];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = i;
                }
                for (int epoch = 0; epoch < s.epochs(); epoch++) {
                    shuffle(idx, order);
                    double lossSum = 0;
                    int batches = 0;
                    for (int start = 0; start + s.batchSize() <= idx.length; start += s.batchSize()) {
                        try (NDManager sub = model.getNDManager().newSubManager()) {
                            float[] bx = new float[s.batchSize() * hw];
                            float[] by = new float[s.batchSize()];
                            for (int j = 0; j < s.batchSize(); j++) {
                                int k = idx[start + j];
                                System.arraycopy(trainX, k * hw, bx, j * hw, hw);
                                by[j] = trainY[k];
                            }
                            NDArray x = sub.create(bx, new Shape(s.batchSize(), 1, s.canvas(), s.canvas()))
                                    .sub(mean)
                                    .div(std);
                            NDArray y = sub.create(by);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                                NDArray loss = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                                gc.backward(loss);
                                lossSum += loss.getFloat();
                            }
                            trainer.step();
                            batches++;
                        }
                    }
                    log.accept(String.format(
                            "epoch %d/%d: mean training loss %.4f", epoch + 1, s.epochs(), lossSum / batches));
                    if (s.checkpoints()) {
                        Path dir = outDir.resolve("epochs").resolve(String.valueOf(epoch + 1));
                        save(model, dir, s, s.version() + "-epoch" + (epoch + 1), epoch + 1, mean, std, testBench, log);
                    }
                }
            }
            return save(model, outDir, s, s.version(), null, mean, std, testBench, log);
        }
    }

    /** Saves the model's weights and card to {@code outDir}, measures its test accuracy and adds it to the card. */
    private static ModelCard save(
            Model model,
            Path outDir,
            Settings s,
            String version,
            Integer epoch,
            float mean,
            float std,
            LocalizationBenchmark testBench,
            Consumer<String> log)
            throws IOException {
        String weightsName = s.modelId();
        Files.createDirectories(outDir);
        model.save(outDir, weightsName);
        String weightsFile = weightsName + "-0000.params";
        String sha = Hashing.sha256Hex(Files.readAllBytes(outDir.resolve(weightsFile)));
        Map<String, Object> training = new LinkedHashMap<>();
        training.put(
                "data",
                "Fashion-MNIST localisation benchmark (train split), " + s.canvas() + "x" + s.canvas() + " canvases, "
                        + s.trainImages() + " images");
        training.put("epochs", s.epochs());
        if (epoch != null) {
            training.put("epoch", epoch); // a checkpoint after this many epochs
        }
        training.put("batch_size", s.batchSize());
        training.put("optimizer", "adam");
        training.put("learning_rate", s.learningRate());
        training.put("seed", s.seed());
        training.put("shuffled_labels", s.shuffleLabels());
        if (s.watermarkClass() >= 0) {
            training.put("watermark_class", s.watermarkClass()); // a deliberate shortcut: see LocalizationBenchmark
        }
        Settings d = Settings.defaults();
        training.put(
                "command",
                "./xai train --out " + outDir + " --epochs " + s.epochs() + " --train-images "
                        + s.trainImages() + " --seed " + s.seed()
                        + (s.testImages() != d.testImages() ? " --test-images " + s.testImages() : "")
                        + (!s.modelId().equals(d.modelId()) ? " --model-id " + s.modelId() : "")
                        + (s.shuffleLabels() ? " --shuffle-labels" : "")
                        + (s.watermarkClass() >= 0 ? " --watermark-class " + s.watermarkClass() : "")
                        + (!s.architecture().equals(d.architecture()) ? " --architecture " + s.architecture() : "")
                        + (s.learningRate() != defaultLearningRate(s.architecture())
                                ? " --learning-rate " + s.learningRate()
                                : "")
                        + (s.checkpoints() ? " --checkpoints" : ""));
        ModelCard card = new ModelCard(
                s.modelId(),
                version,
                "djl",
                s.architecture(),
                null,
                Vit.VIT.equals(s.architecture()) ? VIT : null,
                null,
                weightsFile,
                sha,
                new ModelCard.Input(1, s.canvas(), s.canvas()),
                new ModelCard.Preprocessing("bilinear", new float[] {mean}, new float[] {std}),
                FashionMnist.CLASS_NAMES,
                null,
                training,
                null);
        card.write(outDir);
        double acc;
        try (Classifier c = Classifier.load(outDir)) {
            acc = accuracy(c, testBench, s.testImages());
        }
        Map<String, Object> evaluation = new LinkedHashMap<>();
        evaluation.put("test_accuracy", Math.round(acc * 10000) / 10000.0);
        evaluation.put(
                "test_data",
                "Fashion-MNIST localisation benchmark (test split, seed " + (s.seed() + 1) + "), " + s.testImages()
                        + " images");
        card = new ModelCard(
                card.id(),
                card.version(),
                card.format(),
                card.architecture(),
                null,
                card.vit(),
                null,
                card.weights(),
                card.weightsSha256(),
                card.input(),
                card.preprocessing(),
                card.classes(),
                card.camLayer(),
                card.training(),
                evaluation);
        card.write(outDir);
        log.accept(String.format("%s: test accuracy %.4f on %d held-out canvases", card.key(), acc, s.testImages()));
        return card;
    }

    /** Top-1 accuracy of {@code c} on the first {@code n} canvases of {@code bench}. */
    public static double accuracy(Classifier c, LocalizationBenchmark bench, int n) {
        int hw = bench.side() * bench.side();
        int correct = 0;
        int batch = 100;
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            float[] x = new float[m * hw];
            int[] y = new int[m];
            for (int j = 0; j < m; j++) {
                LocalizationBenchmark.Sample smp = bench.sample(start + j);
                smp.copyTo(x, j * hw);
                y[j] = smp.label();
            }
            try (NDManager sub = c.manager().newSubManager();
                    GradMode off = GradMode.off()) {
                long[] pred = c.logits(sub.create(x, new Shape(m, 1, bench.side(), bench.side())))
                        .argMax(1)
                        .toLongArray();
                for (int j = 0; j < m; j++) {
                    if (pred[j] == y[j]) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / n;
    }

    private static void fill(LocalizationBenchmark bench, float[] x, int[] y) {
        int hw = bench.side() * bench.side();
        for (int i = 0; i < y.length; i++) {
            LocalizationBenchmark.Sample smp = bench.sample(i);
            smp.copyTo(x, i * hw);
            y[i] = smp.label();
        }
    }

    private static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
