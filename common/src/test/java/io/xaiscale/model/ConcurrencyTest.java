package io.xaiscale.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.xaiscale.TestModels;
import io.xaiscale.explain.ContractTest;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient work without a JVM-wide lock: several threads (Spark's task threads of one executor)
 * share one model and run backward passes at once. For every method that takes gradients, the maps
 * of 4 concurrent threads equal those computed on one thread, a fault injected in one thread (on its
 * own model) leaves the others' maps exact and every thread's grad mode off again, and no native
 * memory is kept after many concurrent batches.
 */
class ConcurrencyTest {
    static final int THREADS = 4;
    static NDManager manager;
    static Classifier shipped;
    static Classifier faulty;
    static Classifier vit;
    static Classifier faultyVit;
    static ExecutorService pool;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        shipped = Classifier.load(TestModels.shipped());
        faulty = TestModels.faulty(4);
        vit = TestModels.randomVit(22, 32, 10);
        faultyVit = TestModels.faultyVit(4);
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterAll
    static void tearDown() {
        TestModels.FAULT_AFTER.set(-1);
        pool.shutdownNow();
        manager.close();
        shipped.close();
        faulty.close();
        vit.close();
        faultyVit.close();
    }

    /** Every registered method that runs backward passes, with the contract's light settings. */
    static List<String> gradientMethods() {
        List<String> out = new ArrayList<>();
        for (String name : Explainers.names()) {
            if (ContractTest.method(name).capabilities().gradients()) {
                out.add(name);
            }
        }
        return out;
    }

    /** The maps of image batch {@code k} (2 images, its own seed) for classes {@code k % 10, (k + 3) % 10}. */
    static float[] maps(Explainer e, Classifier model, int k) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = ContractTest.images(m, 100 + k, 2, model.height());
            return e.attribute(model, x, new int[] {k % 10, (k + 3) % 10}).toFloatArray();
        }
    }

    /** Runs {@code work(k)} for k = 0..THREADS-1 on THREADS threads released together; each thread's grad mode afterwards. */
    static List<Object> concurrently(IntFunction<Object> work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<Object>> futures = new ArrayList<>();
        for (int k = 0; k < THREADS; k++) {
            int kk = k;
            Callable<Object> c = () -> {
                start.await();
                try {
                    return work.apply(kk);
                } catch (RuntimeException ex) {
                    return ex;
                } finally {
                    assertFalse(Autograd.recording(), "thread " + kk + " records no gradients after its work");
                }
            };
            futures.add(pool.submit(c));
        }
        List<Object> out = new ArrayList<>();
        for (Future<Object> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("gradientMethods")
    void concurrentThreadsGiveTheMapsOfOneThreadAndAFaultStaysInItsThread(String name) throws Exception {
        Explainer e = ContractTest.method(name);
        // the attention methods on a ViT (each thread records its own attention), the others on the shipped CNN
        Classifier model = e.capabilities().attention() ? vit : shipped;
        Classifier failing = e.capabilities().attention() ? faultyVit : faulty;
        // task threads start with recording on (Spark's pooled threads); the explain stage switches it off
        GradMode.offForThisThread();
        List<float[]> alone = new ArrayList<>();
        for (int k = 0; k < THREADS; k++) {
            alone.add(maps(e, model, k));
        }
        List<Object> together = concurrently(k -> {
            GradMode.offForThisThread();
            return maps(ContractTest.method(name), model, k);
        });
        for (int k = 0; k < THREADS; k++) {
            assertArrayEquals(alone.get(k), (float[]) together.get(k), 1e-5f, name + ": thread " + k);
        }
        // thread 0 works on a model that fails mid-method; the others' maps are untouched
        TestModels.FAULT_AFTER.set(0); // its first ReLU throws
        try {
            List<Object> mixed = concurrently(k -> {
                GradMode.offForThisThread();
                return maps(ContractTest.method(name), k == 0 ? failing : model, k);
            });
            assertTrue(mixed.get(0) instanceof RuntimeException, name + ": the faulty thread fails: " + mixed.get(0));
            for (int k = 1; k < THREADS; k++) {
                assertArrayEquals(
                        alone.get(k), (float[]) mixed.get(k), 1e-5f, name + ": thread " + k + " beside a fault");
            }
        } finally {
            TestModels.FAULT_AFTER.set(-1);
        }
    }

    @Test
    void noNativeMemoryIsKeptAfterManyConcurrentBatches() throws Exception {
        List<String> specs = List.of(
                "gradient", "integrated_gradients[steps=4]", "lrp[composite=epsilon_plus]", "deeplift", "grad_cam");
        concurrently(
                k -> { // builds per-model state (the propagation walk)
                    GradMode.offForThisThread();
                    return maps(Explainers.fromString(specs.get(k % specs.size())), shipped, k);
                });
        int modelArrays = shipped.manager().getManagedArrays().size();
        int ownArrays = manager.getManagedArrays().size();
        for (int round = 0; round < 25; round++) {
            concurrently(k -> {
                GradMode.offForThisThread();
                return maps(Explainers.fromString(specs.get(k % specs.size())), shipped, k);
            });
        }
        assertEquals(modelArrays, shipped.manager().getManagedArrays().size(), "arrays kept by the model's scope");
        assertEquals(ownArrays, manager.getManagedArrays().size(), "arrays kept by the callers' scope");
    }
}
