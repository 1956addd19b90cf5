package io.xaiscale.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DecodeAheadTest {

    /** Batches of {@code size} numbers from 0 to {@code n - 1}, counting how many were read. */
    static Iterator<List<Integer>> batches(int n, int size, AtomicInteger read) {
        Iterator<Integer> in = IntStream.range(0, n).iterator();
        Iterator<Integer> counted = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public Integer next() {
                read.incrementAndGet();
                return in.next();
            }
        };
        return Batches.grouped(counted, size, x -> "");
    }

    @Test
    void theNextBatchDecodesOnAHelperThreadWhileThisOneComputesAndOrderIsKept() throws Exception {
        AtomicInteger read = new AtomicInteger();
        List<String> decoders = new ArrayList<>();
        CountDownLatch secondDecoded = new CountDownLatch(1);
        List<Integer> done = new ArrayList<>();
        Iterator<Integer> out = DecodeAhead.flatMap(
                batches(10, 3, read),
                1,
                b -> {
                    synchronized (decoders) {
                        decoders.add(Thread.currentThread().getName());
                    }
                    if (b.get(0) == 3) {
                        secondDecoded.countDown();
                    }
                    return b.stream().map(x -> x * 10).toList(); // "decoded"
                },
                (b, decoded) -> {
                    if (b.get(0) == 0) {
                        // computing batch 0: batch 1 must decode meanwhile, and nothing beyond it is read
                        try {
                            assertTrue(secondDecoded.await(20, TimeUnit.SECONDS), "batch 1 decoded during batch 0");
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        assertEquals(6, read.get(), "batches 0 and 1 read, no more (ahead = 1)");
                    }
                    return decoded;
                },
                done::add);
        List<Integer> all = new ArrayList<>();
        out.forEachRemaining(all::add);
        assertEquals(IntStream.range(0, 10).map(x -> x * 10).boxed().toList(), all);
        assertEquals(List.of(3, 3, 3, 1), done);
        assertEquals(4, decoders.size());
        assertTrue(decoders.stream().allMatch(n -> n.startsWith("xai-decode-ahead-")), decoders.toString());
    }

    @Test
    void aDecoderFailureIsThrownOnTheTaskThreadWithItsMessage() {
        Iterator<Integer> out = DecodeAhead.flatMap(
                batches(6, 2, new AtomicInteger()),
                2,
                b -> {
                    if (b.get(0) == 2) {
                        throw new IllegalStateException("out of memory decoding batch 1");
                    }
                    return b;
                },
                (b, decoded) -> decoded,
                n -> {});
        assertEquals(0, out.next());
        assertEquals(1, out.next());
        IllegalStateException e = assertThrows(IllegalStateException.class, out::next);
        assertEquals("out of memory decoding batch 1", e.getMessage());
    }

    @Test
    void theConfIsCheckedNamingTheValueAndTheRange() {
        assertEquals(0, DecodeAhead.parse("0"));
        assertEquals(2, DecodeAhead.parse(" 2"));
        for (String bad : List.of("9", "-1", "one")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DecodeAhead.parse(bad));
            assertEquals(
                    "Invalid spark.xaiscale.decodeAhead: " + bad
                            + " (valid: 0 to 8 batches decoded ahead per task; 0 decodes on the task thread)",
                    e.getMessage());
        }
    }
}
