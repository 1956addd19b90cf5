package io.xaiscale.jobs.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
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
        return new Iterator<>() {
            private T pending;
            private Iterator<R> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (pending == null && !in.hasNext()) {
                        return false;
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
                    current = fn.apply(batch).iterator();
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
