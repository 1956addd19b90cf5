package io.xaiscale.jobs.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;

import io.xaiscale.config.Choices;
import io.xaiscale.image.Upsample;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.util.MapCodec;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How maps are stored and read. A row of the explanations table stores {@code map} as
 * {@code map_height x map_width} values of {@code map_dtype} ({@code float32}, {@code float16},
 * {@code bfloat16}; null: float32); a CAM-family map may be stored at its layer's resolution, and then
 * {@code input_height x input_width} (the model's input) is larger and readers upsample it with
 * {@link Upsample#bilinear}, the function the method itself used: the same map, bit for bit. Rows
 * written before those columns existed read as float32 at input resolution.
 *
 * <p>Readers select {@link #column} (one struct of everything a map needs) and decode with {@link #of}.
 */
public final class Maps {
    private Maps() {}

    /** Whether maps coarser than the input (the CAM family) are stored as computed or upsampled first. */
    public enum Resolution {
        /** Every map at the model's input resolution (the default, readable by a plain reshape). */
        INPUT,
        /** CAM-family maps at their layer's resolution (e.g. 7x7 instead of 224x224), upsampled on read. */
        NATIVE;

        public static final List<String> SPECS = List.of("input", "native");

        public String spec() {
            return Choices.spec(this);
        }

        public static Resolution of(String spec) {
            return switch (spec) {
                case "input" -> INPUT;
                case "native" -> NATIVE;
                default ->
                    throw new IllegalArgumentException(
                            "Invalid map resolution: " + spec + " (valid: " + String.join(", ", SPECS) + ")");
            };
        }
    }

    /** The storage of the maps an explain stage writes: their precision and resolution. */
    public record Storage(MapCodec.Precision precision, Resolution resolution) implements Serializable {
        public static final Storage DEFAULT = new Storage(MapCodec.Precision.FLOAT32, Resolution.INPUT);

        /**
         * Sets {@code map}, {@code map_dtype}, {@code map_height}, {@code map_width}, {@code input_height}
         * and {@code input_width} of map {@code i} of a batch: {@code maps} at the input's {@code height x
         * width}, {@code coarse} the method's maps before upsampling ({@code [N, ch, cw]}, or null).
         */
        public Table.RowBuilder write(
                Table.RowBuilder row, float[] maps, int height, int width, float[] coarse, int ch, int cw, int i) {
            boolean small = resolution == Resolution.NATIVE && coarse != null;
            int h = small ? ch : height;
            int w = small ? cw : width;
            return row.set("map", MapCodec.encode(small ? coarse : maps, i * h * w, h * w, precision))
                    .set("map_dtype", precision.spec())
                    .set("map_height", h)
                    .set("map_width", w)
                    .set("input_height", height)
                    .set("input_width", width);
        }
    }

    /** The columns {@link Storage#write} sets, absent from an error row. */
    public static final String[] COLUMNS = {"map", "map_dtype", "map_height", "map_width", "input_height", "input_width"
    };

    /**
     * The stored map of each row of a frame of the explanations table, as one struct (bytes, dtype,
     * height, width, input_height, input_width): what {@link #of} decodes. Columns a table written
     * before them lacks are typed nulls.
     */
    public static Column column(Dataset<Row> explanations) {
        Table t = Tables.EXPLANATIONS;
        return struct(
                col("map").as("bytes"),
                t.column(explanations, "map_dtype").as("dtype"),
                col("map_height").as("height"),
                col("map_width").as("width"),
                coalesce(t.column(explanations, "input_height"), col("map_height"))
                        .as("input_height"),
                coalesce(t.column(explanations, "input_width"), col("map_width"))
                        .as("input_width"));
    }

    /** The map of a {@link #column} struct, at input resolution. */
    public static float[] of(Row stored) {
        float[] values = MapCodec.decode(stored.getAs("bytes"), stored.<String>getAs("dtype"));
        int h = stored.<Integer>getAs("height");
        int w = stored.<Integer>getAs("width");
        int outH = height(stored);
        int outW = width(stored);
        return h == outH && w == outW ? values : Upsample.bilinear(values, 1, h, w, outH, outW);
    }

    /** The map of the {@link #column} struct in field {@code field} of {@code r}. */
    public static float[] of(Row r, String field) {
        return of(r.<Row>getAs(field));
    }

    /** The height {@link #of} gives. */
    public static int height(Row stored) {
        return stored.<Integer>getAs("input_height");
    }

    /** The width {@link #of} gives. */
    public static int width(Row stored) {
        return stored.<Integer>getAs("input_width");
    }
}
