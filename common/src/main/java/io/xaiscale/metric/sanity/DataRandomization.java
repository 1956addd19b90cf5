package io.xaiscale.metric.sanity;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.similarity.MapComparison;
import io.xaiscale.model.Classifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Data randomisation sanity check (Adebayo et al. 2018): the method re-explains each image, same
 * target class, with a model of the same architecture trained on randomly permuted labels
 * ({@code model}: its directory, as written by {@code xai train --shuffle-labels}; a path every
 * executor can read); outputs Spearman and SSIM of the absolute maps against the stored ones. Maps
 * that do not depend on the labels the model learned stay similar: lower is better.
 */
public final class DataRandomization extends MapComparison {
    public static final String NAME = "data_randomization";
    public static final String DEFAULT_MODEL = "models/fmnist-loc-cnn-shuffled";
    private static final Map<Path, Classifier> MODELS = new ConcurrentHashMap<>();

    private final Path model;

    public DataRandomization(ParamReader p) {
        super(NAME, p, List.of("spearman", "ssim"), false);
        this.model =
                Path.of(p.getString("model", DEFAULT_MODEL)).toAbsolutePath().normalize();
        p.record("model", model.toString()); // executors resolve nothing: the exact directory is in the spec
    }

    static Classifier load(Path dir, Classifier like) {
        return MODELS.computeIfAbsent(dir, d -> {
                    try {
                        return Classifier.load(d, like.model().getNDManager().getDevice());
                    } catch (IOException e) {
                        throw new UncheckedIOException(
                                "Cannot load the shuffled-label model of data_randomization from " + d
                                        + " (train one with: xai train --shuffle-labels --out " + d + ")",
                                e);
                    }
                })
                .withInternalBatchSize(like.internalBatchSize());
    }

    @Override
    public double[][] evaluateAll(EvalBatch b) {
        Classifier shuffled = load(model, b.model());
        if (shuffled.numClasses() != b.model().numClasses()
                || shuffled.height() != b.model().height()
                || shuffled.width() != b.model().width()
                || shuffled.channels() != b.model().channels()) {
            throw new IllegalArgumentException(
                    "The shuffled-label model " + shuffled.card().key() + " does not take the inputs and classes of "
                            + b.model().card().key());
        }
        return compare(b, maps(b, shuffled, b.inputs()));
    }
}
