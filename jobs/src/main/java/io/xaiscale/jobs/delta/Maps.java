package io.xaiscale.jobs.delta;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;

import io.xaiscale.config.Choices;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.image.Upsample;
import io.xaiscale.render.Colormap;
import io.xaiscale.render.Overlay;
import io.xaiscale.util.MapCodec;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF6;
import org.apache.spark.sql.types.DataTypes;

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

        public static final List<String> SPECS = Choices.names(Resolution.class);

        public String spec() {
            return Choices.spec(this);
        }

        public static Resolution of(String spec) {
            return Choices.parse(Resolution.class, spec, "map resolution");
        }
    }

    /** The storage of the maps an explain stage writes: their precision and resolution. */
    public record Storage(MapCodec.Precision precision, Resolution resolution) implements Serializable {
        public static final Storage DEFAULT = new Storage(MapCodec.Precision.FLOAT32, Resolution.INPUT);

        /** Whether a method's coarse maps (the CAM family's) are stored instead of their upsampled maps. */
        public boolean storesCoarse() {
            return resolution == Resolution.NATIVE;
        }

        /**
         * Sets {@code map}, {@code map_dtype}, {@code map_height}, {@code map_width}, {@code input_height}
         * and {@code input_width} of map {@code i} of a batch: {@code maps} at the input's {@code height x
         * width}, {@code coarse} the method's maps before upsampling ({@code [N, ch, cw]}, or null).
         */
        public Table.RowBuilder write(
                Table.RowBuilder row, float[] maps, int height, int width, float[] coarse, int ch, int cw, int i) {
            boolean small = storesCoarse() && coarse != null;
            int h = small ? ch : height;
            int w = small ? cw : width;
            float[] values = small ? coarse : maps;
            // a map the chosen precision cannot hold (it would overflow or vanish) is stored as float32;
            // map_dtype says so, and every reader decodes by it
            MapCodec.Precision p = precision.holds(values, i * h * w, h * w) ? precision : MapCodec.Precision.FLOAT32;
            return row.set("map", MapCodec.encode(values, i * h * w, h * w, p))
                    .set("map_dtype", p.spec())
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

    /** How many of {@code values} are NaN or infinite: a map with any is never stored or scored. */
    public static int nonFinite(float[] values) {
        int n = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                n++;
            }
        }
        return n;
    }

    /** The map of a {@link #column} struct, at input resolution. */
    public static float[] of(Row stored) {
        return decode(
                stored.getAs("bytes"),
                stored.getAs("dtype"),
                stored.getAs("height"),
                stored.getAs("width"),
                height(stored),
                width(stored));
    }

    /**
     * A stored map at input resolution from its columns ({@code map, map_dtype, map_height, map_width,
     * input_height, input_width}; null dtype: float32, null input size: the map's).
     */
    public static float[] decode(byte[] bytes, String dtype, int h, int w, Integer inputH, Integer inputW) {
        float[] values = MapCodec.decode(bytes, dtype);
        int outH = inputH == null ? h : inputH;
        int outW = inputW == null ? w : inputW;
        return h == outH && w == outW ? values : Upsample.bilinear(values, 1, h, w, outH, outW);
    }

    /**
     * The SQL functions of the maps, registered in every session of the project: {@code xai_map(map,
     * map_dtype, map_height, map_width, input_height, input_width)} is the map as {@code array<float>}
     * at input resolution, {@code xai_map_png(...)} (same arguments) a PNG of its magnitude on the jet
     * scale, for notebooks.
     */
    public static void register(SparkSession spark) {
        spark.udf()
                .register(
                        "xai_map",
                        (UDF6<byte[], String, Integer, Integer, Integer, Integer, float[]>)
                                (b, dtype, h, w, ih, iw) -> b == null ? null : decode(b, dtype, h, w, ih, iw),
                        DataTypes.createArrayType(DataTypes.FloatType, false));
        spark.udf()
                .register(
                        "xai_map_png",
                        (UDF6<byte[], String, Integer, Integer, Integer, Integer, byte[]>)
                                (b, dtype, h, w, ih, iw) -> b == null
                                        ? null
                                        : png(decode(b, dtype, h, w, ih, iw), ih == null ? h : ih, iw == null ? w : iw),
                        DataTypes.BinaryType);
    }

    /** A map's magnitude, scaled by its 99th percentile as the overlays are, on the jet scale, as a PNG. */
    static byte[] png(float[] map, int h, int w) {
        float[] v = Overlay.normalise(map);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < v.length; i++) {
            img.setRGB(i % w, i / w, Colormap.jet(v[i]));
        }
        return ImageCodec.png(img);
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
