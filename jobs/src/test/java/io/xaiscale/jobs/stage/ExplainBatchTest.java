package io.xaiscale.jobs.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Spec;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Targets;
import io.xaiscale.jobs.delta.Maps;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.TaskSetup;
import io.xaiscale.model.Classifier;
import io.xaiscale.util.MapCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * The explain task never stores a non-finite map or probability: it computes the batch once more
 * (counted by the stage's accumulator), then fails it.
 */
class ExplainBatchTest {

    /** A method whose first {@code nanCalls} calls give maps of NaN, and maps of ones after. */
    static class Flaky extends Explainer {
        final int nanCalls;
        int calls;

        Flaky(int nanCalls) {
            super("flaky", new ParamReader(Spec.parse("flaky")));
            this.nanCalls = nanCalls;
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.BLACK_BOX;
        }

        @Override
        public Cost cost(Classifier model) {
            return Cost.forwards(0);
        }

        @Override
        protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
            float[] v = new float[targets.length * model.height() * model.width()];
            Arrays.fill(v, calls++ < nanCalls ? Float.NaN : 1f);
            return inputs.getManager().create(v, new Shape(targets.length, model.height(), model.width()));
        }
    }

    /** A method whose first call reports NaN logits with finite maps (a faulty kernel in the forward pass). */
    static final class FlakyLogits extends Flaky {
        FlakyLogits() {
            super(0);
        }

        @Override
        protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
            Attribution a = super.compute(model, inputs, targets);
            if (calls > 1) {
                return a;
            }
            float[] nan = new float[(int) inputs.getShape().get(0) * model.numClasses()];
            Arrays.fill(nan, Float.NaN);
            NDArray logits =
                    inputs.getManager().create(nan, new Shape(inputs.getShape().get(0), model.numClasses()));
            return new Attribution(a.maps(), a.targets(), logits);
        }
    }

    static Path model() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("models/fmnist-loc-cnn/model.json"))) {
            p = p.getParent();
        }
        return p.resolve("models/fmnist-loc-cnn");
    }

    static final StructType ITEM = DataTypes.createStructType(List.of(
            DataTypes.createStructField("image_id", DataTypes.StringType, false),
            DataTypes.createStructField("method", DataTypes.StringType, false),
            DataTypes.createStructField("method_spec", DataTypes.StringType, false),
            DataTypes.createStructField("params", DataTypes.StringType, false),
            DataTypes.createStructField("params_hash", DataTypes.StringType, false),
            DataTypes.createStructField("method_revision", DataTypes.IntegerType, false),
            DataTypes.createStructField("target", DataTypes.StringType, false)));

    static Row item(String id) {
        return new GenericRowWithSchema(new Object[] {id, "flaky", "flaky", "{}", "h", 1, "class_3"}, ITEM);
    }

    @Test
    void aNonFiniteMapIsComputedOnceMoreAndABatchThatStaysNonFiniteFails() throws Exception {
        try (Classifier model = Classifier.load(model());
                NDManager scope = model.manager().newSubManager()) {
            LongAccumulator recomputed = new LongAccumulator();
            ExplainStage.Batch batch = new ExplainStage.Batch(
                    new TaskSetup.TaskModel(model, scope), null, Maps.Storage.DEFAULT, recomputed);
            List<Row> items = List.of(item("a"), item("b"));
            float[] pixels = new float[2 * model.channels() * model.height() * model.width()];
            Timestamp now = new Timestamp(0);

            Flaky once = new Flaky(1);
            List<Row> rows = batch.explainDecoded(once, items, pixels, now);
            assertEquals(2, once.calls, "computed once more");
            for (Row r : rows) {
                assertNull(r.get(Tables.EXPLANATIONS.schema().fieldIndex("error")));
                float[] map = MapCodec.decode(
                        (byte[]) r.get(Tables.EXPLANATIONS.schema().fieldIndex("map")));
                assertEquals(0, Maps.nonFinite(map));
                assertArrayEquals(new float[] {1f, 1f}, new float[] {map[0], map[map.length - 1]});
            }

            assertEquals(1, recomputed.value(), "counted");

            // finite maps with NaN logits: the probabilities are checked too
            FlakyLogits logits = new FlakyLogits();
            rows = batch.explainDecoded(logits, items, pixels, now);
            assertEquals(2, logits.calls, "computed once more");
            assertEquals(2, recomputed.value());
            for (Row r : rows) {
                double p = (Double) r.get(Tables.EXPLANATIONS.schema().fieldIndex("predicted_prob"));
                assertTrue(Double.isFinite(p), "the second run's probability: " + p);
            }

            Flaky always = new Flaky(Integer.MAX_VALUE);
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> batch.explainDecoded(always, items, pixels, now));
            assertEquals(2, always.calls, "twice, not more");
            assertTrue(e.getMessage().contains("8192 non-finite map value(s)"), e.getMessage());
            assertEquals(3, recomputed.value());
        }
    }
}
