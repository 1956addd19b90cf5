package io.xaiscale.jobs.runtime;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * A task's bounded decode-ahead: while batch k computes on the task thread, the next {@code ahead}
 * batches are read from the partition (on the task thread: Spark's iterators stay on it) and decoded
 * on helper threads of the executor. On a GPU executor the device then does not wait for JPEG
 * decoding; on a CPU executor decoding overlaps the task's libtorch thread when a core is free. At
 * most {@code ahead} decoded batches per task wait in memory (batch x C x H x W floats each). Outputs
 * keep the batches' order; a decoding failure other than an image's own (those are rows with an error)
 * is thrown on the task thread.
 *
 * <p>Set by the Spark conf {@value #CONF} (batches decoded ahead per task, 0 to decode on the task
 * thread; default {@value #DEFAULT}).
 */
public final class DecodeAhead {
    public static final String CONF = "spark.xaiscale.decodeAhead";
    public static final int DEFAULT = 1;
    public static final int MAX = 8;

    private static final AtomicInteger THREADS = new AtomicInteger();

    /** The executor's helper threads (daemons: they never keep a JVM alive), created as tasks need them. */
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "xai-decode-ahead-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private DecodeAhead() {}

    /** The conf's value, checked on the driver: fails naming the value and the valid range. */
    public static int parse(String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0 && n <= MAX) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("Invalid " + CONF + ": " + value + " (valid: 0 to " + MAX
                + " batches decoded ahead per task; 0 decodes on the task thread)");
    }

    /**
     * The concatenated outputs of {@code compute} over {@code batches}, each batch's {@code decode}
     * started up to {@code ahead} batches early on a helper thread; {@code done} gets each batch's size
     * after it computed.
     */
    public static <T, D, R> Iterator<R> flatMap(
            Iterator<List<T>> batches,
            int ahead,
            Function<List<T>, D> decode,
            BiFunction<List<T>, D, List<R>> compute,
            IntConsumer done) {
        if (ahead < 1) {
            throw new IllegalArgumentException("ahead must be at least 1, got " + ahead);
        }
        record Pending<T, D>(List<T> batch, Future<D> decoded) {}
        Iterator<List<R>> computed = new Iterator<>() {
            private final Deque<Pending<T, D>> queue = new ArrayDeque<>();

            /** Starts decoding batches until {@code limit} wait. */
            private void fill(int limit) {
                while (queue.size() < limit && batches.hasNext()) {
                    List<T> b = batches.next();
                    queue.add(new Pending<>(b, POOL.submit(() -> decode.apply(b))));
                }
            }

            @Override
            public boolean hasNext() {
                fill(1);
                return !queue.isEmpty();
            }

            @Override
            public List<R> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Pending<T, D> head = queue.poll();
                fill(ahead); // the next batches decode while this one computes
                List<R> out = compute.apply(head.batch(), await(head.decoded()));
                done.accept(head.batch().size());
                return out;
            }
        };
        return Batches.flatMap(computed, Function.identity());
    }

    /** The decoded batch, or the decoder's failure thrown on this thread. */
    private static <D> D await(Future<D> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("task interrupted while waiting for a decoded batch", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("decoding a batch failed: " + e.getCause(), e.getCause());
        }
    }
}
