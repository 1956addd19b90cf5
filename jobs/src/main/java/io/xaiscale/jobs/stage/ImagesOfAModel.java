package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.xaiscale.config.Params;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.DecodedBatch;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the stages that compute one row per image of a model (uncertainty, predict) share: the selected
 * images without a row of this model and setting yet (with {@code --retry-errors}, or with an error),
 * and their decoding, where an image's own error becomes its row's.
 */
final class ImagesOfAModel {
    private ImagesOfAModel() {}

    /**
     * The pending images: {@code image_id, content, image_error, params, params_hash} (the hash of
     * {@code kind} and {@code params}) and {@code more} of the images table.
     */
    static Dataset<Row> pending(
            SparkSession spark,
            StageSettings stage,
            Selection selection,
            Table output,
            ModelCard card,
            String kind,
            String params,
            String... more) {
        List<Column> columns = new ArrayList<>(List.of(col("image_id"), col("content")));
        for (String c : more) {
            columns.add(col(c));
        }
        columns.add(col("error").as("image_error"));
        columns.add(lit(params).as("params"));
        columns.add(lit(Params.hash(kind, params)).as("params_hash"));
        Dataset<Row> images = selection
                .apply(DeltaIO.read(spark, stage.warehouse(), Tables.IMAGES))
                .select(columns.toArray(Column[]::new));
        Dataset<Row> done = DeltaIO.readOrEmpty(spark, stage.warehouse(), output)
                .where(
                        stage.retryErrors()
                                ? Tables.ofModel(card).and(col("error").isNull())
                                : Tables.ofModel(card))
                .select("image_id", "params_hash");
        return images.join(done, DeltaIO.columns("image_id", "params_hash"), "left_anti");
    }

    /** A batch of pending images decoded to {@code model}'s input; an image's error is its row's ("image: ..."). */
    static DecodedBatch decode(List<Row> batch, Classifier model) {
        return DecodedBatch.of(batch, model, r -> {
            String e = r.getAs("image_error");
            return e == null ? null : "image: " + e;
        });
    }
}
