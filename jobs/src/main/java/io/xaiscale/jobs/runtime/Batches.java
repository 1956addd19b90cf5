package io.xaiscale.jobs.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Lazily cuts a partition's iterator into batches of at most {@code size} consecutive elements that
 * share a group key (the partition is sorted by it) and maps each batch to output elements. Nothing
 * beyond one batch is held in memory.
 */
public final class Batches {
    private Batches() {}

    public static <T, R> Iterator<R> flatMap(
            Iterator<T> in, int size, Function<T, String> group, Function<List<T>, List<R>> fn) {
        return flatMap(grouped(in, size, group), fn);
    }

    /** {@code in} cut into batches of at most {@code size} consecutive elements of one group key, read as they are asked for. */
    public static <T> Iterator<List<T>> grouped(Iterator<T> in, int size, Function<T, String> group) {
        return new Iterator<>() {
            private T pending;

            @Override
            public boolean hasNext() {
                return pending != null || in.hasNext();
            }

            @Override
            public List<T> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<T> batch = new ArrayList<>(size);
                T first = pending != null ? pending : in.next();
                pending = null;
                batch.add(first);
                String key = group.apply(first);
                while (batch.size() < size && in.hasNext()) {
                    T next = in.next();
                    if (!Objects.equals(key, group.apply(next))) {
                        pending = next;
                        break;
                    }
                    batch.add(next);
                }
                return batch;
            }
        };
    }

    /** The concatenated outputs of {@code fn} over {@code batches}, each batch mapped when its output is reached. */
    public static <T, R> Iterator<R> flatMap(Iterator<List<T>> batches, Function<List<T>, List<R>> fn) {
        return new Iterator<>() {
            private Iterator<R> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (!batches.hasNext()) {
                        return false;
                    }
                    current = fn.apply(batches.next()).iterator();
                }
                return true;
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /**
     * {@code batch} over all {@code items}; if it throws, over each item alone, so one item that
     * fails cannot take the others' results with it: only that item gets {@code failed}'s rows. A fault
     * of the engine or device ({@link EngineFaults}) fails the task instead while Spark will run it
     * again.
     */
    public static <T, R> List<R> isolating(
            List<T> items, Function<List<T>, List<R>> batch, BiFunction<T, RuntimeException, List<R>> failed) {
        return isolating(items, batch, failed, EngineFaults.retriesLeft());
    }

    /** {@link #isolating(List, Function, BiFunction)}; {@code retry}: whether Spark runs the task again. */
    public static <T, R> List<R> isolating(
            List<T> items,
            Function<List<T>, List<R>> batch,
            BiFunction<T, RuntimeException, List<R>> failed,
            boolean retry) {
        if (items.isEmpty()) {
            return List.of();
        }
        try {
            return batch.apply(items);
        } catch (RuntimeException batchFailure) {
            EngineFaults.rethrowIfRetried(batchFailure, retry);
            if (items.size() == 1) {
                return failed.apply(items.get(0), batchFailure);
            }
            List<R> out = new ArrayList<>();
            for (T item : items) {
                try {
                    out.addAll(batch.apply(List.of(item)));
                } catch (RuntimeException e) {
                    EngineFaults.rethrowIfRetried(e, retry);
                    out.addAll(failed.apply(item, e));
                }
            }
            return out;
        }
    }

    /**
     * {@code in} without the elements whose key equals the previous element's: on a partition sorted
     * by the key, every key once.
     */
    public static <T> Iterator<T> distinctAdjacent(Iterator<T> in, Function<T, String> key) {
        return new Iterator<>() {
            private T next;
            private String last;

            @Override
            public boolean hasNext() {
                while (next == null && in.hasNext()) {
                    T candidate = in.next();
                    String k = key.apply(candidate);
                    if (!k.equals(last)) {
                        next = candidate;
                        last = k;
                    }
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T out = next;
                next = null;
                return out;
            }
        };
    }
}
