package io.xaiscale.jobs.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;

import io.xaiscale.jobs.delta.Tables;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Which images of the {@code images} table a run explains: some splits, some classes (by label), those
 * ingested since a time, and a seeded sample of at most n images per class (the same images on every
 * run with the same seed, new images joining the sample only where a class has room or their hash
 * ranks first). Empty fields select everything.
 *
 * @param splits the splits to keep (empty: all)
 * @param classes the labels to keep (empty: all, unlabelled images too)
 * @param samplePerClass at most this many images per label (0: all)
 * @param seed the sample's seed
 * @param since images ingested at or after this time (null: all)
 */
public record Selection(List<String> splits, List<Integer> classes, int samplePerClass, long seed, Timestamp since)
        implements Serializable {
    public static final Selection ALL = new Selection(List.of(), List.of(), 0, 0, null);

    public boolean isAll() {
        return splits.isEmpty() && classes.isEmpty() && samplePerClass == 0 && since == null;
    }

    /** The rows of {@code images} (the images table) this selection keeps. */
    public Dataset<Row> apply(Dataset<Row> images) {
        Dataset<Row> out = images;
        List<Column> keep = new ArrayList<>();
        // an image whose file left its source is retired: never selected again (its rows stay)
        keep.add(Tables.IMAGES.column(images, "retired_at").isNull());
        if (!splits.isEmpty()) {
            keep.add(col("split").isin(splits.toArray()));
        }
        if (!classes.isEmpty()) {
            keep.add(col("label").isin(classes.toArray()));
        }
        if (since != null) {
            keep.add(col("ingested_at").geq(lit(since)));
        }
        for (Column c : keep) {
            out = out.where(c);
        }
        if (samplePerClass > 0) {
            // a seeded order within each class: the hash of the seed and the image's id
            Column rank = row_number()
                    .over(Window.partitionBy(col("label"))
                            .orderBy(sha2(concat(lit(seed + ":"), col("image_id")), 256)));
            out = out.withColumn("_sample_rank", rank)
                    .where(col("_sample_rank").leq(samplePerClass))
                    .drop("_sample_rank");
        }
        return out;
    }

    /** As written in messages and the ledger. */
    public String describe() {
        if (isAll()) {
            return "every image";
        }
        List<String> p = new ArrayList<>();
        if (!splits.isEmpty()) {
            p.add("splits " + splits);
        }
        if (!classes.isEmpty()) {
            p.add("classes " + classes);
        }
        if (since != null) {
            p.add("ingested since " + since);
        }
        if (samplePerClass > 0) {
            p.add(samplePerClass + " per class (seed " + seed + ")");
        }
        return String.join(", ", p);
    }

    /**
     * A time written {@code 2026-11-01} or {@code 2026-11-01T06:00} (local time of the driver); blank:
     * null. Fails naming the option and the forms accepted.
     */
    public static Timestamp parseSince(String text, String option) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Timestamp.valueOf(LocalDate.parse(text.trim()).atStartOfDay());
        } catch (DateTimeParseException e) {
            try {
                return Timestamp.valueOf(LocalDateTime.parse(text.trim()));
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException(
                        "Invalid --" + option + ": " + text + " (valid: a date 2026-11-01 or a time 2026-11-01T06:00)");
            }
        }
    }
}
