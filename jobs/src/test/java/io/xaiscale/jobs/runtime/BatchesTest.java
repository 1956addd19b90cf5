package io.xaiscale.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
    @Test
    void aFailedBatchIsRetriedItemByItemAndOnlyTheCulpritGetsTheError() {
        List<List<String>> calls = new ArrayList<>();
        List<String> out = Batches.isolating(
                List.of("a", "poison", "b"),
                batch -> {
                    calls.add(batch);
                    if (batch.contains("poison")) {
                        throw new IllegalStateException("cannot score poison");
                    }
                    return batch.stream().map(String::toUpperCase).toList();
                },
                (item, e) -> List.of(item + ": " + e.getMessage()));
        assertEquals(List.of("A", "poison: cannot score poison", "B"), out);
        assertEquals(List.of(List.of("a", "poison", "b"), List.of("a"), List.of("poison"), List.of("b")), calls);
        assertEquals(List.of("X"), Batches.isolating(List.of("x"), b -> List.of("X"), (i, e) -> List.of("never")));
    }

    @Test
    void batchesNeverMixGroupsNorExceedTheSizeAndKeepOrder() {
        List<String> in = List.of("a1", "a2", "a3", "b1", "c1", "c2", "c3", "c4", "c5");
        List<List<String>> seen = new ArrayList<>();
        Iterator<String> out = Batches.flatMap(in.iterator(), 2, s -> s.substring(0, 1), batch -> {
            seen.add(List.copyOf(batch));
            return batch.stream().map(String::toUpperCase).toList();
        });
        List<String> all = new ArrayList<>();
        out.forEachRemaining(all::add);
        assertEquals(List.of("A1", "A2", "A3", "B1", "C1", "C2", "C3", "C4", "C5"), all);
        assertEquals(
                List.of(
                        List.of("a1", "a2"),
                        List.of("a3"),
                        List.of("b1"),
                        List.of("c1", "c2"),
                        List.of("c3", "c4"),
                        List.of("c5")),
                seen);
    }

    @Test
    void batchesAreComputedLazily() {
        List<Integer> calls = new ArrayList<>();
        Iterator<String> out = Batches.flatMap(List.of("x1", "x2", "x3").iterator(), 1, s -> "x", batch -> {
            calls.add(1);
            return batch;
        });
        assertEquals(0, calls.size());
        out.next();
        assertEquals(1, calls.size());
    }

    @Test
    void repeatedKeysOfASortedPartitionPassOnce() {
        List<String> in = List.of("a1", "a1x", "b1", "b2", "b2x", "b2y", "c1");
        List<String> all = new ArrayList<>();
        Batches.distinctAdjacent(in.iterator(), s -> s.substring(0, 2)).forEachRemaining(all::add);
        assertEquals(List.of("a1", "b1", "b2", "c1"), all);
        assertEquals(
                List.of(), toList(Batches.distinctAdjacent(List.<String>of().iterator(), s -> s)));
    }

    private static List<String> toList(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void partitionsFollowTheRequestOrTheWork() {
        assertEquals(7, Partitioning.choose(7, 1000, 16, 2));
        assertEquals(8, Partitioning.choose(0, 1000, 16, 2)); // 4 per core
        assertEquals(3, Partitioning.choose(0, 40, 16, 2)); // no more than there are batches
        assertEquals(1, Partitioning.choose(0, 0, 16, 2));
    }
}
