package io.xaiscale.jobs.runtime;

import ai.djl.engine.EngineException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;

/**
 * Faults of the engine or the device, not of an item: libtorch out of memory (CUDA's included), a
 * CUDA, cuBLAS or cuDNN error, a native resource already closed, the JVM out of memory. Such a fault
 * in a task that Spark will run again (not its last attempt, {@code spark.task.maxFailures}) fails the
 * task, so Spark retries it, on another executor if it can; only on the last attempt do the items
 * become error rows (a rerun with {@code --retry-errors} computes them again). An item's own fault (an
 * image a method cannot explain) is its error row at once.
 */
public final class EngineFaults {
    private static final Pattern LOCAL = Pattern.compile("local\\[[^,\\]]+,\\s*(\\d+)\\]");

    private EngineFaults() {}

    /** Whether {@code t} (or a cause) is a fault of the engine or device rather than of the item. */
    public static boolean isEngineFault(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
            if (c instanceof EngineException
                    && (m.contains("out of memory")
                            || m.contains("cuda")
                            || m.contains("cublas")
                            || m.contains("cudnn")
                            || m.contains("device-side"))) {
                return true;
            }
            if (c instanceof IllegalStateException
                    && (m.contains("native resource has been release") || m.contains("already closed"))) {
                return true;
            }
        }
        return false;
    }

    /** Whether Spark runs this task again if it fails (false outside a task, and in plain local mode). */
    public static boolean retriesLeft() {
        TaskContext ctx = TaskContext.get();
        if (ctx == null || SparkEnv.get() == null) {
            return false;
        }
        return ctx.attemptNumber() + 1
                < maxFailures(
                        SparkEnv.get().conf().get("spark.master", ""),
                        SparkEnv.get().conf().getInt("spark.task.maxFailures", 4));
    }

    /** How many attempts a task gets: local[N] 1, local[N,F] F, a cluster {@code spark.task.maxFailures}. */
    static int maxFailures(String master, int configured) {
        if (master.startsWith("local")) {
            Matcher m = LOCAL.matcher(master);
            return m.matches() ? Integer.parseInt(m.group(1)) : 1;
        }
        return configured;
    }

    /** Rethrows {@code e} when it is an engine fault and {@code retry} says Spark will run the task again. */
    public static void rethrowIfRetried(RuntimeException e, boolean retry) {
        if (retry && isEngineFault(e)) {
            throw e;
        }
    }
}
