package io.xaiscale.jobs.spark;

import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.util.MapCodec;
import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Reading stored maps: each explanation row says in {@code map_dtype} how its {@code map} is stored
 * ({@code float32}, {@code float16}, {@code bfloat16}; null, or no such column in a table written
 * before it existed: float32), and every reader decodes through here.
 */
public final class Maps {
    private Maps() {}

    /** The {@code map_dtype} column of a frame of the explanations table (a typed null where the table has none). */
    public static Column dtype(Dataset<Row> explanations) {
        return Tables.EXPLANATIONS.column(explanations, "map_dtype");
    }

    /** The map of a row with columns {@code map} and (perhaps) {@code map_dtype}. */
    public static float[] of(Row r) {
        return of(r, "map", "map_dtype");
    }

    /** The map in column {@code map}, stored as column {@code dtype} says (absent or null: float32). */
    public static float[] of(Row r, String map, String dtype) {
        boolean has =
                r.schema() != null && Arrays.asList(r.schema().fieldNames()).contains(dtype);
        return MapCodec.decode(r.getAs(map), has ? r.<String>getAs(dtype) : null);
    }
}
