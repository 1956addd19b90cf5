package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.runtime.Batches;
import io.xaiscale.jobs.runtime.DecodeAhead;
import io.xaiscale.jobs.runtime.ModelIdentity;
import io.xaiscale.jobs.runtime.ModelRef;
import io.xaiscale.jobs.runtime.Partitioning;
import io.xaiscale.jobs.runtime.Progress;
import io.xaiscale.jobs.runtime.TaskSetup;
import io.xaiscale.jobs.warehouse.Commits;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * Runs a {@link Stage}: finds its pending items, cuts them into chunks of about
 * {@code commitEvery} (each computed and committed on its own), partitions each chunk by image (the
 * stage's partition column),
 * sorts each partition into batches of the stage's batch key, runs the stage's work on the executors
 * and inserts the rows with a one-pass insert-only MERGE (keys are unique: the pending items come
 * from an anti-join, and each partition drops repeats of an item). Progress lines with rate and ETA
 * every 10 seconds, and where the executors' time went at the end.
 */
public final class StageRunner {
    private StageRunner() {}

    /**
     * Outcome of a run: items pending and rows inserted, wall seconds, the longest Spark stage's seconds
     * (decode, compute, write) and the in-task seconds of the stage's own work ({@link Stage#summarize}).
     */
    public record Result(long pending, long inserted, double seconds, double stageSeconds, double workSeconds) {}

    public static Result run(SparkSession spark, Stage stage) throws Exception {
        Timestamp started = new Timestamp(System.currentTimeMillis());
        StageSettings s = stage.settings();
        Dataset<Row> pending = stage.pending(spark);
        long total = pending.count();
        System.out.printf("[%s] %s -> %d pending %s%n", stage.name(), stage.describe(), total, stage.unit());
        if (total == 0) {
            stage.settle(spark);
            // the time it took to know: on a nightly run with nothing new, that is the stage's whole cost
            return new Result(0, 0, (System.currentTimeMillis() - started.getTime()) / 1e3, 0, 0);
        }
        Progress progress = Progress.create(spark, stage.name(), stage.unit(), total);
        int parallelism = spark.sparkContext().defaultParallelism();
        int partitions =
                Partitioning.choose(s.partitions(), Math.min(total, s.commitEvery()), s.batchSize(), parallelism);
        long inserted = progress.track(
                10,
                () -> Commits.inChunks(pending, total, s.commitEvery(), stage.partitionColumn(), chunk -> {
                    Dataset<Row> out = compute(spark, stage, chunk, partitions, progress.counter());
                    List<DeltaIO.Update> updates = new ArrayList<>();
                    if (s.retryErrors()) {
                        updates.add(DeltaIO.Update.ERRORS);
                    }
                    updates.addAll(stage.updates());
                    return DeltaIO.insertOrUpdate(
                            spark,
                            out,
                            stage.output().path(s.warehouse()),
                            stage.output().key(),
                            updates);
                }));
        System.out.println(progress.line());
        stage.settle(spark);
        double workSeconds = stage.summarize(spark, started);
        return new Result(
                total, inserted, progress.elapsedSeconds(), progress.times().longestStageSeconds(), workSeconds);
    }

    /**
     * The output rows of {@code stage}'s {@link Stage#work} over {@code items} (lazy: computed when an action
     * reads them): partitioned by the stage's partition column, each partition sorted into batches of
     * its batch key, the model loaded once per executor JVM, each item once, decoded one batch ahead
     * ({@link DecodeAhead#CONF}); {@code counter} counts the items done. The jobs' runs and the Spark ML
     * stages ({@code io.xaiscale.jobs.ml}) compute through this one path.
     */
    public static Dataset<Row> compute(
            SparkSession spark, Stage stage, Dataset<Row> items, int partitions, LongAccumulator counter) {
        StageSettings s = stage.settings();
        Column[] order = sortOrder(stage).stream().map(c -> col(c)).toArray(Column[]::new);
        int ahead = DecodeAhead.parse(spark.conf().get(DecodeAhead.CONF, String.valueOf(DecodeAhead.DEFAULT)));
        Tasks tasks =
                new Tasks(stage.work(), s.model(), stage.batchKey(), stage.itemKey(), s.batchSize(), ahead, counter);
        return items.repartition(partitions, col(stage.partitionColumn()))
                .sortWithinPartitions(order)
                .mapPartitions(tasks, Encoders.row(stage.output().schema()));
    }

    /** The batch key's columns, then the rest of the item key: a batch's items are adjacent, and repeats of an item too. */
    static List<String> sortOrder(Stage stage) {
        List<String> order = new ArrayList<>(stage.batchKey());
        for (String c : stage.itemKey()) {
            if (!order.contains(c)) {
                order.add(c);
            }
        }
        return order;
    }

    static String key(Row r, List<String> columns) {
        StringBuilder sb = new StringBuilder();
        for (String c : columns) {
            sb.append(String.valueOf((Object) r.getAs(c))).append('|');
        }
        return sb.toString();
    }

    /** The executor side of every stage: the model once per task, each item once, batches of one batch key. */
    static final class Tasks implements MapPartitionsFunction<Row, Row> {
        private final Stage.Work work;
        private final ModelRef model;
        private final List<String> batchKey;
        private final List<String> itemKey;
        private final int batchSize;
        private final int decodeAhead;
        private final LongAccumulator counter;

        Tasks(
                Stage.Work work,
                ModelRef model,
                List<String> batchKey,
                List<String> itemKey,
                int batchSize,
                int decodeAhead,
                LongAccumulator counter) {
            this.work = work;
            this.model = model;
            this.batchKey = List.copyOf(batchKey);
            this.itemKey = List.copyOf(itemKey);
            this.batchSize = batchSize;
            this.decodeAhead = decodeAhead;
            this.counter = counter;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            TaskSetup.TaskModel task = model == null ? null : TaskSetup.forTask(model);
            Function<List<Row>, List<Row>> batchWork = work.open(task);
            Iterator<Row> unique = Batches.distinctAdjacent(rows, r -> key(r, itemKey));
            Iterator<List<Row>> batches = Batches.grouped(unique, batchSize, r -> key(r, batchKey));
            // pending items done (an item may write several rows) are counted as each batch ends
            if (decodeAhead > 0 && batchWork instanceof Stage.Decoding d) {
                return DecodeAhead.flatMap(batches, decodeAhead, d::decode, d::apply, counter::add);
            }
            return Batches.flatMap(batches, batch -> {
                List<Row> out = batchWork.apply(batch);
                counter.add(batch.size());
                return out;
            });
        }
    }

    /** Runs {@code stages} in order in {@code spark}, each line of outcome printed; returns their results. */
    public static List<Result> runInOrder(SparkSession spark, List<? extends Stage> stages) throws Exception {
        List<Result> out = new ArrayList<>();
        stages.stream()
                .map(st -> st.settings())
                .filter(s -> s.model() != null)
                .distinct()
                .forEach(s -> ModelIdentity.checkWarehouse(spark, s.warehouse(), s.model()));
        for (Stage st : stages) {
            Result r = run(spark, st);
            System.out.printf("[%s] %d new %s row(s) in %.1fs%n", st.name(), r.inserted(), st.rowNoun(), r.seconds());
            out.add(r);
        }
        return out;
    }
}
