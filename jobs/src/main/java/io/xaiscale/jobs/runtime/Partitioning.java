package io.xaiscale.jobs.runtime;

/** How many partitions a stage's work is cut into. */
public final class Partitioning {
    private Partitioning() {}

    /**
     * {@code requested} if positive; otherwise up to 4 partitions per core of the cluster (finer
     * progress and load balance), but no more than there are batches of work.
     */
    public static int choose(int requested, long items, int batchSize, int parallelism) {
        if (requested > 0) {
            return requested;
        }
        long batches = Math.max(1, (items + batchSize - 1) / batchSize);
        return (int) Math.max(1, Math.min(batches, 4L * Math.max(1, parallelism)));
    }
}
