package io.xaiscale.jobs.warehouse;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;

import java.util.function.ToLongFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Cuts a stage's pending work into chunks of about {@code commitEvery} items, each computed and
 * committed (MERGEd) on its own: a driver that dies loses at most the chunk in flight, and the
 * rerun computes only what no committed chunk holds.
 */
public final class Commits {
    private Commits() {}

    /** Runs {@code commit} on each chunk of {@code pending} (split by a hash of {@code keyColumn}); returns the rows inserted. */
    public static long inChunks(
            Dataset<Row> pending, long total, long commitEvery, String keyColumn, ToLongFunction<Dataset<Row>> commit) {
        int chunks = (int) Math.max(1, Math.min(10_000, (total + commitEvery - 1) / commitEvery));
        if (chunks == 1) {
            return commit.applyAsLong(pending);
        }
        long inserted = 0;
        for (int i = 0; i < chunks; i++) {
            Dataset<Row> chunk =
                    pending.where(pmod(hash(col(keyColumn)), lit(chunks)).equalTo(i));
            long n = commit.applyAsLong(chunk);
            inserted += Math.max(0, n);
            System.out.printf("[commit] chunk %d/%d committed (%d row(s))%n", i + 1, chunks, n);
        }
        return inserted;
    }
}
