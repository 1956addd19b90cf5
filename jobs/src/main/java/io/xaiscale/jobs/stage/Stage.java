package io.xaiscale.jobs.stage;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.spark.DecodeAhead;
import io.xaiscale.jobs.spark.DecodedBatch;
import io.xaiscale.jobs.spark.TaskSetup;
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
    /** The stage's name in logs and progress lines, e.g. {@code explain}. */
    String name();

    /** What one pending item is called in progress lines, e.g. {@code maps}. */
    String unit();

    /** What one output row is called in the closing line ("N new explanation row(s)"). */
    String rowNoun();

    /** What the pending work is, for the log line before it starts (e.g. "model m@1: 6 method(s) x images"). */
    String describe();

    /** The table the stage inserts into. */
    Table output();

    StageSettings settings();

    /** The items still to do, one row each, with every column the executors need. */
    Dataset<Row> pending(SparkSession spark);

    /** Columns that identify one item (its output rows' key, less the model columns); a partition holds each item once. */
    List<String> itemKey();

    /**
     * The column that cuts the work into commit chunks and partitions: by image, so every row of an
     * image meets in one task (its decoded pixels, its prediction); a stage without images names its own.
     */
    default String partitionColumn() {
        return "image_id";
    }

    /** Columns whose equal values make one batch (one method configuration, one metric); empty: any items. */
    List<String> batchKey();

    /** The executor side, serialised to the tasks. */
    Work work();

    /**
     * Rows already in the output that a new row of the same key replaces (besides error rows under
     * {@code --retry-errors}): e.g. metric values whose ground truth was corrected. Empty: insert only.
     */
    default List<DeltaIO.Update> updates() {
        return List.of();
    }

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
