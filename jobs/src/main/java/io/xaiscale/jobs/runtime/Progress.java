package io.xaiscale.jobs.runtime;

import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * Driver-side progress of a long stage: a named accumulator that tasks add to, and a reporter
 * thread that prints done / total, rate and ETA every few seconds while the action runs.
 */
public final class Progress {
    private final String stage;
    private final long total;
    private final LongAccumulator done;
    private final long startNanos = System.nanoTime();
    private final SparkContext context;
    private final TaskTimes times = new TaskTimes();

    private Progress(SparkContext context, String stage, long total, LongAccumulator done) {
        this.context = context;
        this.stage = stage;
        this.total = total;
        this.done = done;
    }

    public static Progress create(SparkSession spark, String stage, String unit, long total) {
        return new Progress(
                spark.sparkContext(), stage, total, spark.sparkContext().longAccumulator(stage + " " + unit));
    }

    /** The executors' time over the tracked action (complete once {@link #track} returned). */
    public TaskTimes times() {
        return times;
    }

    public LongAccumulator counter() {
        return done;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public String line() {
        long d = done.value();
        double s = elapsedSeconds();
        double rate = s > 0 ? d / s : 0;
        String eta = rate > 0 && total > d ? String.format("%.0fs", (total - d) / rate) : "-";
        return String.format("[%s] %d / %d done, %.1f per second, ETA %s", stage, d, total, rate, eta);
    }

    /**
     * Runs {@code action}, printing a progress line every {@code periodSeconds}, and at the end where
     * the executors' time went ({@link TaskTimes}).
     */
    public <T> T track(int periodSeconds, Callable<T> action) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress-" + stage);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> System.out.println(line()), periodSeconds, periodSeconds, TimeUnit.SECONDS);
        context.addSparkListener(times);
        try {
            return action.call();
        } finally {
            timer.shutdownNow();
            try {
                context.listenerBus().waitUntilEmpty(10_000); // task-end events arrive asynchronously
            } catch (TimeoutException late) {
                // a partial summary is still worth printing
            }
            context.removeSparkListener(times);
            System.out.println(times.line(stage));
        }
    }
}
