package io.xaiscale.jobs.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sha2;

import io.xaiscale.jobs.delta.Tables;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The image column of a Spark ML stage's input: the bytes of an image file (the {@code binaryFile}
 * source's {@code content}, the {@code images} table's {@code content}) as they are, or the {@code image}
 * source's struct ({@code origin, height, width, nChannels, mode, data}: OpenCV's BGR(A) bytes) encoded
 * as a PNG, so both go through the project's one decoder and resize. An image is identified as ingest
 * identifies it: {@code image_id} when the input has that column, else the SHA-256 of its bytes.
 */
final class ImageInput {
    private ImageInput() {}

    static final String ID = "image_id";

    /** The fields of Spark's image data source struct ({@code org.apache.spark.ml.image.ImageSchema}). */
    static final List<String> IMAGE_STRUCT = List.of("origin", "height", "width", "nChannels", "mode", "data");

    /** What an input column may be, for messages. */
    static final String VALID = "a binary column of image file bytes (spark.read.format(\"binaryFile\"): content)"
            + " or the struct of spark.read.format(\"image\") (image)";

    /** Null when {@code type} is a usable image column, else what it is. */
    static String problem(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            return "no such column; the input has " + String.join(", ", schema.fieldNames());
        }
        DataType type = schema.apply(column).dataType();
        if (type instanceof BinaryType || isImageStruct(type)) {
            return null;
        }
        return "column '" + column + "' is " + type.simpleString() + "; expected " + VALID;
    }

    static boolean isImageStruct(DataType type) {
        return type instanceof StructType s && Arrays.asList(s.fieldNames()).containsAll(IMAGE_STRUCT);
    }

    /** The image bytes of {@code column}: as they are, or the image struct as a PNG (null for the source's invalid rows). */
    static Column bytes(Dataset<?> input, String column) {
        return input.schema().apply(column).dataType() instanceof BinaryType ? col(column) : PNG.apply(col(column));
    }

    /**
     * {@code input} with its {@link #ID} column: kept when it has one, else the SHA-256 of each image's
     * bytes (of its row's JSON when it has none).
     */
    static Dataset<Row> withId(Dataset<?> input, Column bytes) {
        Dataset<Row> rows = input.toDF();
        if (Arrays.asList(input.columns()).contains(ID)) {
            return rows;
        }
        // a row without bytes (the image source's undecodable file) is identified by all its columns
        Column all = functions.struct(
                Arrays.stream(input.columns()).map(functions::col).toArray(Column[]::new));
        return rows.withColumn(
                ID,
                functions.coalesce(sha2(bytes, 256), sha2(functions.to_json(all).cast("binary"), 256)));
    }

    /**
     * Column {@code name} of {@code frame} as the {@code images} table's column {@code as}, cast to its
     * type; that type's null when the frame has no such column.
     */
    static Column orNull(Dataset<Row> frame, String name, String as) {
        DataType type = Tables.IMAGES.schema().apply(as).dataType();
        if (!Arrays.asList(frame.columns()).contains(name)) {
            return functions.lit(null).cast(type).as(as);
        }
        // a column of the table's own type (up to nullability, which a cast cannot narrow) is taken as it is
        boolean same = frame.schema().apply(name).dataType().catalogString().equals(type.catalogString());
        return (same ? col(name) : col(name).cast(type)).as(as);
    }

    private static final UserDefinedFunction PNG =
            functions.udf((UDF1<Row, byte[]>) ImageInput::png, DataTypes.BinaryType);

    /** An image source row as a PNG: 1 channel grey, 3 BGR, 4 BGRA; null for a row the source could not decode. */
    static byte[] png(Row image) {
        if (image == null) {
            return null;
        }
        int h = image.getAs("height");
        int w = image.getAs("width");
        int c = image.getAs("nChannels");
        byte[] data = image.getAs("data");
        if (h <= 0 || w <= 0 || data == null || data.length < (long) h * w * c || c < 1 || c > 4 || c == 2) {
            return null; // ImageSchema.invalidImageRow: height and width -1, no data
        }
        // the buffers of these types hold the bytes in the source's own order (grey; B,G,R; A,B,G,R)
        BufferedImage img = new BufferedImage(
                w,
                h,
                c == 1
                        ? BufferedImage.TYPE_BYTE_GRAY
                        : c == 3 ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_4BYTE_ABGR);
        byte[] target = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        if (c < 4) {
            System.arraycopy(data, 0, target, 0, h * w * c);
        } else {
            for (int p = 0; p < h * w; p++) {
                target[4 * p] = data[4 * p + 3];
                target[4 * p + 1] = data[4 * p];
                target[4 * p + 2] = data[4 * p + 1];
                target[4 * p + 3] = data[4 * p + 2];
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
