package io.xaiscale.model;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model per JVM (per Spark executor) and device, keyed by model id and version: every
 * task of the executor shares it; it is loaded on first use and never per task or per row.
 */
public final class ModelCache {
    private static final Map<String, Classifier> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ModelCache() {}

    /**
     * The model in {@code dir}, loaded once for {@code key} ({@code id@version} from its card). The
     * key is checked after loading, so a directory that holds another model fails loudly.
     */
    public static Classifier get(String key, Path dir) {
        return get(key, dir, Device.cpu());
    }

    /** {@link #get(String, Path)} on {@code device}; a caller picks its internal batch size with {@link Classifier#withInternalBatchSize}. */
    public static Classifier get(String key, Path dir, Device device) {
        // the directory is part of the key: another directory under the same id@version is loaded
        // (and its weights hash checked), never answered with the model of the first one
        return MODELS.computeIfAbsent(key + "#" + dir.toAbsolutePath().normalize() + "#" + device, k -> {
            try {
                Classifier loaded = Classifier.load(dir, device);
                LOADS.incrementAndGet();
                if (!loaded.card().key().equals(key)) {
                    loaded.close();
                    throw new IllegalStateException(
                            "Model directory " + dir + " holds " + loaded.card().key() + ", expected " + key);
                }
                return loaded;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot load model " + k + " from " + dir + ": " + e.getMessage(), e);
            }
        });
    }

    /** How many times a model was loaded in this JVM (for tests and logs). */
    public static int loads() {
        return LOADS.get();
    }
}
