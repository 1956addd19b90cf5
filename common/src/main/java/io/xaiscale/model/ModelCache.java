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
        return get(key, dir, device, null);
    }

    /**
     * {@link #get(String, Path, Device)}, loaded again when the cached model's weights are not those of
     * hash {@code weightsSha256} (null: any): weights replaced in place under the same directory are
     * read anew, never answered with the weights this JVM read before. The replaced model is left to
     * the tasks that may still hold it (not closed).
     */
    public static Classifier get(String key, Path dir, Device device, String weightsSha256) {
        // the directory is part of the key: another directory under the same id@version is loaded
        // (and its weights hash checked), never answered with the model of the first one
        String k = key + "#" + dir.toAbsolutePath().normalize() + "#" + device;
        Classifier cached = MODELS.get(k);
        if (cached != null && weightsSha256 != null && !weightsSha256.equals(cached.weightsSha256())) {
            MODELS.remove(k, cached);
        }
        return MODELS.computeIfAbsent(k, x -> load(key, dir, device));
    }

    private static Classifier load(String key, Path dir, Device device) {
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
            throw new UncheckedIOException("Cannot load model " + key + " from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** How many times a model was loaded in this JVM (for tests and logs). */
    public static int loads() {
        return LOADS.get();
    }
}
