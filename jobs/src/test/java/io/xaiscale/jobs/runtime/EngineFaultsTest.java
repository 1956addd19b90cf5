package io.xaiscale.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An engine or device fault fails the task while Spark will run it again (so it is retried, not
 * written as a permanent error row that reruns skip); an item's own fault is its error row at once,
 * and on the last attempt an engine fault is too.
 */
class EngineFaultsTest {
    static final RuntimeException OOM =
            new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)");
    static final RuntimeException CLOSED = new IllegalStateException("Native resource has been release already.");
    static final RuntimeException ITEM = new IllegalArgumentException("image 3 has 4 channels, the model takes 3");

    @Test
    void engineAndDeviceFaultsAreToldFromAnItemsOwn() {
        assertTrue(EngineFaults.isEngineFault(OOM));
        assertTrue(EngineFaults.isEngineFault(CLOSED));
        assertTrue(EngineFaults.isEngineFault(new RuntimeException("explain failed", OOM)), "through its cause");
        assertTrue(EngineFaults.isEngineFault(new RuntimeException(new OutOfMemoryError("Java heap space"))));
        assertFalse(EngineFaults.isEngineFault(ITEM));
        assertFalse(EngineFaults.isEngineFault(new EngineException("expected 3 channels, got 4")));
        assertEquals(1, EngineFaults.maxFailures("local[2]", 4), "plain local mode runs a task once");
        assertEquals(3, EngineFaults.maxFailures("local[2, 3]", 4));
        assertEquals(4, EngineFaults.maxFailures("spark://127.0.0.1:7077", 4));
        assertFalse(EngineFaults.retriesLeft(), "outside a task");
    }

    @Test
    void anEngineFaultFailsTheTaskWhileSparkRetriesItAndIsAnErrorRowOnTheLastAttempt() {
        List<String> items = List.of("a", "b");
        RuntimeException thrown = assertThrows(
                RuntimeException.class,
                () -> Batches.isolating(
                        items,
                        b -> {
                            throw OOM;
                        },
                        (i, e) -> List.of("error " + i),
                        true));
        assertSame(OOM, thrown);
        // one item's engine fault while isolating fails the task too
        thrown = assertThrows(
                RuntimeException.class,
                () -> Batches.isolating(
                        items,
                        b -> {
                            if (b.size() > 1 || b.get(0).equals("b")) {
                                throw b.size() > 1 ? ITEM : CLOSED;
                            }
                            return List.of("ok " + b.get(0));
                        },
                        (i, e) -> List.of("error " + i),
                        true));
        assertSame(CLOSED, thrown);
        assertEquals(
                List.of("error a", "error b"),
                Batches.isolating(
                        items,
                        b -> {
                            throw OOM;
                        },
                        (i, e) -> List.of("error " + i),
                        false),
                "the last attempt: error rows");
        assertEquals(
                List.of("ok a", "error b"),
                Batches.isolating(
                        items,
                        b -> {
                            if (b.size() > 1 || b.get(0).equals("b")) {
                                throw ITEM;
                            }
                            return List.of("ok " + b.get(0));
                        },
                        (i, e) -> List.of("error " + i),
                        true),
                "an item's own fault is its error row even when Spark would retry");
    }
}
