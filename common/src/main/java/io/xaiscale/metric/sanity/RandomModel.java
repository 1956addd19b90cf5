package io.xaiscale.metric.sanity;

import io.xaiscale.config.ParamReader;
import io.xaiscale.model.Randomized;

/** The {@code reset} parameter the model-randomisation metrics share: how the random model is drawn. */
final class RandomModel {
    private RandomModel() {}

    /** {@code reset=pytorch} (the reference's re-initialisation, the default) or {@code reset=gaussian} (before 2026-12-07). */
    static Randomized.Reset reset(ParamReader p) {
        return Randomized.Reset.of(p.getChoice("reset", "pytorch", Randomized.Reset.CHOICES));
    }
}
