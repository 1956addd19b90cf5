package io.xaiscale.jobs.runtime;

import io.xaiscale.model.ModelCard;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Which model a stage's executors load ({@code uri} of the model directory, {@code key} =
 * {@code id@version} from its card, checked after loading; {@code weightsSha256}, the hash of the
 * weights the driver checked, null when unchecked) and the internal batch size its methods and
 * metrics cut their stacks into.
 */
public record ModelRef(String uri, String key, String weightsSha256, int internalBatchSize) implements Serializable {

    /** A model checked on the driver: its card, and the reference its executors load. */
    public record Checked(ModelCard card, ModelRef ref) {}

    /**
     * Reads the card of the model at {@code model} (a local directory, {@code s3a://}, ...) and checks
     * its weights against the card on the driver, before any task runs.
     */
    public static Checked check(String model, int internalBatchSize) throws IOException {
        String uri = ModelFiles.qualify(model);
        Path dir = ModelFiles.localize(uri, ModelFiles.driverConf());
        ModelCard card = ModelCard.read(dir);
        String weights = ModelIdentity.verify(card, dir);
        return new Checked(card, new ModelRef(uri, card.key(), weights, internalBatchSize));
    }
}
