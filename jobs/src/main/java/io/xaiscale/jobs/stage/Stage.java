package io.xaiscale.jobs.stage;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.runtime.DecodeAhead;
import io.xaiscale.jobs.runtime.DecodedBatch;
import io.xaiscale.jobs.runtime.TaskSetup;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One stage of the pipeline (explain, evaluate, method agreement, ...): what it writes, what is left
 * to do, and what an executor does with one batch. {@link StageRunner} runs every stage alike: pending
 * items, cut into commit chunks, partitioned by image, sorted into batches, computed on the executors,
 * inserted with an insert-only MERGE, with progress and a timing summary. A stage supplies only what
 * it runs and what it emits.
 */
public interface Stage {
    /**
     * What a stage is called and writes, and how its work is keyed, declared once per stage.
     *
     * @param name the stage's name in logs and progress lines, e.g. {@code explain}
     * @param unit what one pending item is called in progress lines, e.g. {@code explanation(s)}
     * @param rowNoun what one output row is called in the closing line ("N new explanation row(s)")
     * @param output the table the stage inserts into
     * @param itemKey columns that identify one item (its output rows' key, less the model columns); a
     *     partition holds each item once
     * @param batchKey columns whose equal values make one batch (one method configuration, one metric);
     *     empty: any items
     * @param partitionColumn the column that cuts the work into commit chunks and partitions: by image
     *     ({@code image_id}), so every row of an image meets in one task; a stage without images names
     *     its own
     */
    record Descriptor(
            String name,
            String unit,
            String rowNoun,
            Table output,
            List<String> itemKey,
            List<String> batchKey,
            String partitionColumn) {}

    /** This stage's {@link Descriptor}. */
    Descriptor descriptor();

    default String name() {
        return descriptor().name();
    }

    default String unit() {
        return descriptor().unit();
    }

    default String rowNoun() {
        return descriptor().rowNoun();
    }

    default Table output() {
        return descriptor().output();
    }

    default List<String> itemKey() {
        return descriptor().itemKey();
    }

    default List<String> batchKey() {
        return descriptor().batchKey();
    }

    default String partitionColumn() {
        return descriptor().partitionColumn();
    }

    /** What the pending work is, for the log line before it starts (e.g. "model m@1: 6 method(s) x images"). */
    String describe();

    StageSettings settings();

    /** The items still to do, one row each, with every column the executors need. */
    Dataset<Row> pending(SparkSession spark);

    /** The executor side, serialised to the tasks. */
    Work work();

    /**
     * Rows already in the output that a new row of the same key replaces (besides error rows under
     * {@code --retry-errors}): e.g. metric values whose ground truth was corrected. Empty: insert only.
     */
    default List<DeltaIO.Update> updates() {
        return List.of();
    }

    /**
     * After the work is committed (and on a run with nothing pending, which finishes what a killed run
     * left): rows of the output that the new ones supersede are moved aside (the rows of an older
     * revision of a method or metric, io.xaiscale.jobs.warehouse.Superseded). Nothing by default.
     */
    default void settle(SparkSession spark) {}

    /** Said after the work is committed (e.g. time per method); returns the in-task seconds of the stage's own work, 0 if untimed. */
    default double summarize(SparkSession spark, Timestamp started) {
        return 0;
    }

    /** What an executor does: once per partition {@link #open}, then the returned function on each batch. */
    interface Work extends Serializable {
        /**
         * Per-partition state (parsed methods, caches) and the function from a batch of pending rows to
         * output rows; {@code task} is the executor's model, null when the stage loads none.
         */
        Function<List<Row>, List<Row>> open(TaskSetup.TaskModel task);
    }

    /**
     * A batch function whose first step, decoding the images, needs no model: the runner decodes the
     * next batch on a helper thread while this one computes ({@link DecodeAhead}), so a GPU (or the
     * task's libtorch thread) does not wait for JPEG decoding. Decoding must be a pure function of the
     * batch's rows.
     */
    interface Decoding extends Function<List<Row>, List<Row>> {
        /** The batch's images decoded to the model's input (no model call; may run on another thread). */
        DecodedBatch decode(List<Row> batch);

        /** The batch's output rows from its decoded images. */
        List<Row> apply(List<Row> batch, DecodedBatch decoded);

        @Override
        default List<Row> apply(List<Row> batch) {
            return apply(batch, decode(batch));
        }
    }
}
