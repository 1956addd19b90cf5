package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.Fixture.Warehouse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A wrong option fails at start, before any Spark work, naming the value and the valid choices.
 */
class WrongOptionsScenario extends Scenario {
    @Test
    void wrongOptionsFailAtStartNamingTheValueAndTheChoices() throws Exception {
        Warehouse w = fixture.warehouse;
        String warehouse = w.path();
        Path tmp = fixture.dir("options");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(w.options(new ExplainCommand(), "--methods", "gradient,shap")));
        assertEquals(
                "Unknown explanation method: shap (valid: " + String.join(", ", Explainers.names()) + ")",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(w.options(new ExplainCommand(), "--target", "true_class")));
        assertEquals("Invalid target: true_class (valid: predicted, label, labels, top_k[k=3])", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(w.options(new ExplainCommand(), "--target", "predicted,top_k[k=11]")));
        assertEquals(
                "Invalid target: top_k[k=11] (model fmnist-loc-cnn@1 has 10 classes: k must be at most that)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(w.options(new ExplainCommand(), "--methods", "grad_cam[layer=conv9]")));
        assertEquals(
                "Unknown layer for grad_cam: conv9 (valid for fmnist-loc-cnn@1: conv1, bn1, relu1, pool1, conv2, bn2, relu2, "
                        + "pool2, conv3, bn3, relu3)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.options(new ExplainCommand(), "--batchsize", "3"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "Unknown option --batchsize for explain (valid: --warehouse, --master, --model, --batch-size"),
                e.getMessage());
        Exception missing = assertThrows(
                Exception.class,
                () -> ExplainCommand.stage(new ExplainCommand()
                        .options()
                        .parse(new String[] {"--model", tmp.resolve("nope").toString()})));
        assertTrue(
                missing.getMessage()
                        .startsWith(
                                "Model card not found: " + tmp.resolve("nope").resolve("model.json")),
                missing.getMessage());
    }
}
