package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

/** Rows are built by column name from the table's schema: a missing, unknown or mistyped value fails when the row is built. */
class TablesTest {

    /** A value of the column's type, for a row that sets every column. */
    static Object sample(StructField f) {
        return switch (f.dataType().typeName()) {
            case "string" -> "s";
            case "integer" -> 1;
            case "long" -> 1L;
            case "double" -> 1.0;
            case "boolean" -> true;
            case "binary" -> new byte[] {1};
            case "timestamp" -> new Timestamp(0);
            case "struct" -> RowFactory.create(0, 0, 1, 1);
            case "array" -> new Row[] {RowFactory.create(0, 0, 1, 1, null, null, null)};
            default -> throw new IllegalStateException("no sample for " + f);
        };
    }

    @Test
    void aRowWithEveryColumnSetBuildsInTheSchemasOrder() {
        for (Table t : Tables.ALL) {
            Table.RowBuilder b = t.row();
            StructField[] fields = t.schema().fields();
            for (int i = fields.length - 1; i >= 0; i--) { // set in reverse: the order of the calls does not matter
                b.set(fields[i].name(), sample(fields[i]));
            }
            Row r = b.build();
            assertEquals(fields.length, r.size(), t.name());
            for (int i = 0; i < fields.length; i++) {
                Object want = sample(fields[i]);
                Object got = r.get(i);
                if (want instanceof byte[]) {
                    assertEquals(1, ((byte[]) got).length, t.name() + "." + fields[i].name());
                } else if (!(want instanceof Row) && !(want instanceof Row[])) {
                    assertEquals(want, got, t.name() + "." + fields[i].name());
                }
            }
        }
    }

    @Test
    void aColumnLeftUnsetUnknownNullOrMistypedFails() {
        Table.RowBuilder b = Tables.METRICS
                .row()
                .set("image_id", "i")
                .set("model_id", "m")
                .set("model_version", "1")
                .set("method", "gradient")
                .set("params_hash", "p")
                .set("metric", "iou")
                .set("metric_params", "{}")
                .set("metric_params_hash", "h")
                .set("higher_is_better", true)
                .set("metric_revision", 1)
                .absent("error", "ground_truth", "ground_truth_hash", "curve")
                .set("evaluated_at", new Timestamp(0));
        IllegalStateException unset = assertThrows(IllegalStateException.class, b.copy()::build);
        assertEquals(
                "Row of metrics without a value for: value (set each column, or mark it absent)", unset.getMessage());
        assertEquals(17, b.copy().set("value", 0.5).build().size());
        assertEquals(
                "Unknown column of metrics: score (valid: image_id, model_id, model_version, method, params_hash, metric, "
                        + "metric_params, metric_params_hash, value, higher_is_better, error, evaluated_at, ground_truth, "
                        + "ground_truth_hash, curve, metric_revision, xai_version)",
                assertThrows(IllegalArgumentException.class, () -> b.copy().set("score", 0.5))
                        .getMessage());
        assertEquals(
                "Column metrics.image_id cannot be null",
                assertThrows(IllegalArgumentException.class, () -> b.copy().set("image_id", null))
                        .getMessage());
        assertEquals(
                "Column metrics.value is double, not Float (0.5)",
                assertThrows(IllegalArgumentException.class, () -> b.copy().set("value", 0.5f))
                        .getMessage());
    }

    /** DESCRIBE TABLE explains every column of every table, and the table itself with its key. */
    @Test
    void everyColumnOfEveryTableHasItsCommentAndEveryTableItsDescription() {
        for (Table t : Tables.ALL) {
            for (StructField f : t.schema().fields()) {
                assertTrue(f.getComment().isDefined(), t.name() + "." + f.name() + " has no comment (ColumnComments)");
                assertEquals(t.comment(f.name()), f.getComment().get());
            }
            assertTrue(t.description().endsWith("(key: " + String.join(", ", t.key()) + ")"), t.description());
        }
        assertEquals(
                "SHA-256 of the image file's bytes: the image's key in every table", Tables.IMAGES.comment("image_id"));
        assertEquals("why the file cannot be used (null: usable)", Tables.IMAGES.comment("error"));
        assertEquals("when the row was moved here", Tables.SUPERSEDED_METRICS.comment("superseded_at"));
    }

    @Test
    void everyKeyIsAColumn() {
        for (Table t : Tables.ALL) {
            for (String k : t.key()) {
                t.schema().fieldIndex(k);
            }
        }
        assertEquals(List.of("image_id", "model_id", "model_version", "params_hash"), Tables.EXPLANATIONS.key());
    }
}
