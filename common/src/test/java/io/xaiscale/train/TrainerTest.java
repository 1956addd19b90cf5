package io.xaiscale.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.image.FashionMnist;
import io.xaiscale.internals.Kernels;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.UnitGrid;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    /** A checkpoint per epoch: versions of one model id, each card saying its epoch; the last one is the model. */
    @Test
    void checkpointsAreVersionsOfTheModelOnePerEpoch(@TempDir Path out) throws Exception {
        Trainer.Settings d = Trainer.Settings.defaults();
        Trainer.Settings s = new Trainer.Settings(
                "tiny", "3", 256, 64, 2, 64, d.learningRate(), 5L, d.canvas(), false, -1, true, d.architecture());
        List<String> log = new ArrayList<>();
        ModelCard last = Trainer.train(FashionMnist.DEFAULT_DIR, out, s, log::add);
        assertEquals("tiny@3", last.key());
        ModelCard first = ModelCard.read(out.resolve("epochs/1"));
        ModelCard second = ModelCard.read(out.resolve("epochs/2"));
        assertEquals(List.of("tiny@3-epoch1", "tiny@3-epoch2"), List.of(first.key(), second.key()));
        assertEquals(1, ((Number) first.training().get("epoch")).intValue());
        assertEquals(2, ((Number) second.training().get("epoch")).intValue());
        assertTrue(first.evaluation().containsKey("test_accuracy"));
        assertNotEquals(first.weightsSha256(), second.weightsSha256(), "the weights moved in epoch 2");
        assertEquals(second.weightsSha256(), last.weightsSha256(), "the last checkpoint is the model");
        assertTrue(last.training().get("command").toString().endsWith(" --checkpoints"));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("tiny@3-epoch1: test accuracy")), log.toString());
        // the first layer's kernels over training: a row per checkpoint, a column per kernel
        try (Classifier e1 = Classifier.load(out.resolve("epochs/1"));
                Classifier e2 = Classifier.load(out.resolve("epochs/2"))) {
            List<UnitGrid.Tile> tiles = Kernels.overTraining(List.of(e1, e2), "conv1");
            assertEquals(2 * 16, tiles.size());
            assertEquals("e1", tiles.get(0).label());
            assertEquals("e2", tiles.get(16).label());
            assertNotEquals(
                    Arrays.toString(tiles.get(1).png()),
                    Arrays.toString(tiles.get(17).png()),
                    "kernel 1 changed in epoch 2");
        }
    }
}
