package io.xaiscale.jobs.runtime;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Where the executors' time went while a stage of the project ran: the tasks' run time, CPU time and
 * GC time summed over all tasks, and the longest Spark stage. CPU time well below run time means tasks
 * waited (for cores shared with other processes, for I/O); a scaling run reads it to tell a pipeline
 * bottleneck from a machine that has fewer cores than it runs workers.
 */
public final class TaskTimes extends SparkListener {
    private final AtomicLong tasks = new AtomicLong();
    private final AtomicLong runMs = new AtomicLong();
    private final AtomicLong cpuNs = new AtomicLong();
    private final AtomicLong gcMs = new AtomicLong();
    private final AtomicLong longestStageMs = new AtomicLong();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        TaskMetrics m = end.taskMetrics();
        if (m == null) {
            return;
        }
        tasks.incrementAndGet();
        runMs.addAndGet(m.executorRunTime());
        cpuNs.addAndGet(m.executorCpuTime());
        gcMs.addAndGet(m.jvmGCTime());
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted done) {
        var info = done.stageInfo();
        if (info.submissionTime().isDefined() && info.completionTime().isDefined()) {
            long ms = (Long) info.completionTime().get()
                    - (Long) info.submissionTime().get();
            longestStageMs.accumulateAndGet(ms, Math::max);
        }
    }

    public double longestStageSeconds() {
        return longestStageMs.get() / 1000.0;
    }

    /** One line: tasks, task time, CPU time and its share, GC time, longest stage. */
    public String line(String stage) {
        double run = runMs.get() / 1000.0;
        double cpu = cpuNs.get() / 1e9;
        return String.format(
                "[%s] tasks: %d, task time %.1f s, CPU %.1f s (%.0f%% of task time), GC %.1f s, longest stage %.1f s",
                stage,
                tasks.get(),
                run,
                cpu,
                run > 0 ? 100 * cpu / run : 0,
                gcMs.get() / 1000.0,
                longestStageSeconds());
    }
}
