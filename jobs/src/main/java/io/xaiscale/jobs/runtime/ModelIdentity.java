package io.xaiscale.jobs.runtime;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import ai.djl.Device;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCache;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * A model is its weights: {@code id@version} names one set of weights, and every row is keyed by
 * id and version. Checked on the driver before any work: the weights against the card's
 * {@code weights_sha256} and its class count against their outputs (before Spark starts), and the
 * weights against those the warehouse already holds rows of under the same id and version (before
 * any stage runs). The same id@version with other weights is refused, never mixed with the old rows.
 */
public final class ModelIdentity {
    private ModelIdentity() {}

    /**
     * Loads the model in {@code dir} on the driver's CPU (once per JVM and set of weights: in local mode
     * the executors share it), checks its weights' hash and outputs; returns the SHA-256 of the weights
     * file as it is now (read again on every call, so weights replaced in place are seen).
     */
    public static String verify(ModelCard card, Path dir) {
        Classifier model;
        try {
            String sha;
            Path weights = dir.resolve(card.weights());
            try (InputStream in = Files.newInputStream(weights)) {
                sha = Hashing.sha256Hex(in);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("Weights file not found: " + weights + " (named by 'weights' in "
                        + dir.resolve(ModelCard.FILE_NAME) + ")");
            }
            model = ModelCache.get(card.key(), dir, Device.cpu(), sha);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UncheckedIOException | IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        model.checkOutputs();
        return model.weightsSha256();
    }

    /** Refuses a warehouse whose rows of this id@version were computed with other weights. */
    public static void checkWarehouse(SparkSession spark, String warehouse, ModelRef model) {
        String weightsSha256 = model.weightsSha256();
        if (weightsSha256 == null) {
            return;
        }
        // files of one run have min = max = their hash: Delta's statistics skip them all but the odd ones
        List<String> other = DeltaIO.readOrEmpty(spark, warehouse, Tables.EXPLANATIONS)
                .where(concat(col("model_id"), lit("@"), col("model_version"))
                        .equalTo(model.key())
                        .and(col("weights_sha256").isNotNull())
                        .and(col("weights_sha256").notEqual(weightsSha256)))
                .select("weights_sha256")
                .limit(1)
                .as(Encoders.STRING())
                .collectAsList();
        if (!other.isEmpty()) {
            throw new IllegalArgumentException(
                    "Model " + model.key() + " in " + warehouse + " was explained with weights "
                            + "sha256 " + other.get(0) + ", but these weights have sha256 " + weightsSha256
                            + ": one id@version names one set of weights. Give these weights a new 'version' in model.json"
                            + " (rows are keyed by id and version, so old and new would be mixed).");
        }
    }
}
