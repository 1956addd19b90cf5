package io.xaiscale.jobs.runtime;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The bytes the executors' tasks read from storage (Spark's input metrics: Parquet and binary files
 * scanned, after column pruning) while it is registered: what a run cost in I/O, e.g. how little a
 * nightly run with nothing new reads.
 */
public final class InputBytes extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final AtomicLong bytes = new AtomicLong();

    private InputBytes(SparkContext sc) {
        this.sc = sc;
    }

    /** Starts counting the input bytes of every task of {@code sc} from now on. */
    public static InputBytes count(SparkContext sc) {
        InputBytes l = new InputBytes(sc);
        sc.addSparkListener(l);
        return l;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null) {
            bytes.addAndGet(end.taskMetrics().inputMetrics().bytesRead());
        }
    }

    /** Bytes read so far (listener events arrive asynchronously: read after the jobs of interest ended). */
    public long total() {
        return bytes.get();
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}
