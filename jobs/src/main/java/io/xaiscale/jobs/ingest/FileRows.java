package io.xaiscale.jobs.ingest;

import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import io.xaiscale.image.DecodeException;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.util.Errors;
import io.xaiscale.util.Hashing;
import io.xaiscale.util.Iterators;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * The executor side of a file ingest: reads each listed image file (at most {@code maxFileBytes}
 * held in memory), checks its header against {@code maxPixels} before decoding, decodes it once
 * (subsampled when large) and writes its images row; whatever fails is that row's error, never the
 * task's. A file that cannot be read at all gets the id {@code sha256("unreadable " + uri)}.
 */
final class FileRows implements MapPartitionsFunction<Row, Row> {
    /** One listed image file and its manifest values (null when the manifest names it not). */
    static final StructType FILES = createStructType(new StructField[] {
        createStructField("source_uri", StringType, false),
        createStructField("length", LongType, false),
        createStructField("modified", DataTypes.TimestampType, false),
        // what the images row would record of this file's manifest values (entryHash): unchanged, unread
        createStructField("entry_hash", StringType, false),
        createStructField("label", IntegerType, true),
        createStructField("label_name", StringType, true),
        createStructField("boxes", DataTypes.createArrayType(Tables.LABELED_BOX, false), true),
        createStructField("segmentation", DataTypes.BinaryType, true),
        createStructField("shapes", StringType, true),
        createStructField("split", StringType, true),
        createStructField("manifest_error", StringType, true),
        createStructField("manifest_line", IntegerType, true),
        // the image's bytes when its source holds them (a table's row, read by this very task); null: read the file
        createStructField("content", DataTypes.BinaryType, true),
    });

    /** The images row plus the manifest line its values came from (dropped before the write). */
    static final StructType OUT = Tables.IMAGES.schema().add("manifest_line", DataTypes.IntegerType, true);

    private final String defaultSplit;
    private final long maxPixels;
    private final long maxFileBytes;

    FileRows(String defaultSplit, long maxPixels, long maxFileBytes) {
        this.defaultSplit = defaultSplit;
        this.maxPixels = maxPixels;
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> in) {
        Configuration conf =
                SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf());
        Timestamp now = new Timestamp(System.currentTimeMillis());
        return Iterators.map(in, f -> {
            byte[] held = f.getAs("content");
            Read read = held != null
                    ? held(f.<String>getAs("source_uri"), held, f.<String>getAs("manifest_error"))
                    : read(f.getAs("source_uri"), conf);
            Row row = row(f, read, now);
            Object[] values = new Object[OUT.size()];
            for (int i = 0; i < row.size(); i++) {
                values[i] = row.get(i);
            }
            values[row.size()] = f.getAs("manifest_line");
            return RowFactory.create(values);
        });
    }

    /** A file's bytes (null when not held), their id, and why the file cannot be used (null when it can be decoded). */
    record Read(String id, byte[] content, String error) {}

    /**
     * Bytes a table's row held: read like a file's (above the size limit an error, hashed whole); none
     * (a null or empty value) is an error row named by its input, as an unreadable file is.
     */
    Read held(String uri, byte[] content, String why) {
        if (content.length == 0) {
            return new Read(
                    Hashing.sha256Hex("unreadable " + uri),
                    null,
                    why != null ? why : "no image bytes (the image column is null or empty)");
        }
        if (content.length > maxFileBytes) {
            return new Read(
                    Hashing.sha256Hex(content),
                    null,
                    String.format(
                            Locale.ROOT,
                            "image of %d bytes is above the limit of %d bytes (raise it with --max-file-bytes)",
                            content.length,
                            maxFileBytes));
        }
        return new Read(Hashing.sha256Hex(content), content, null);
    }

    Read read(String uri, Configuration conf) {
        Path path = new Path(uri);
        try {
            FileSystem fs = path.getFileSystem(conf);
            try (InputStream s = fs.open(path)) {
                ByteArrayOutputStream held = new ByteArrayOutputStream();
                byte[] block = new byte[1 << 16];
                long total = 0;
                for (int n = s.read(block); n >= 0; n = s.read(block)) {
                    total += n;
                    if (total > maxFileBytes) {
                        // too large to hold: its id is still the hash of all its bytes, read as a stream
                        InputStream whole = new SequenceInputStream(
                                new ByteArrayInputStream(held.toByteArray()),
                                new SequenceInputStream(new ByteArrayInputStream(block, 0, n), s));
                        long size = fs.getFileStatus(path).getLen();
                        return new Read(
                                Hashing.sha256Hex(whole),
                                null,
                                String.format(
                                        Locale.ROOT,
                                        "file of %d bytes is above the limit of %d bytes (raise it with --max-file-bytes)",
                                        size,
                                        maxFileBytes));
                    }
                    held.write(block, 0, n);
                }
                byte[] content = held.toByteArray();
                return new Read(Hashing.sha256Hex(content), content, null);
            }
        } catch (IOException | RuntimeException e) {
            return new Read(Hashing.sha256Hex("unreadable " + uri), null, "unreadable file: " + Errors.describe(e));
        }
    }

    /**
     * What an images row records of its file, so that a later ingest leaves a file of the same path,
     * size, modification time and manifest values unread.
     */
    record Source(long size, Timestamp modified, String entryHash) {}

    /**
     * The hash of a listed file's manifest values (label, name, boxes, segmentation, shapes, split,
     * the manifest's error): with the path, size and modification time, what makes a file unchanged.
     */
    static String entryHash(
            Integer label,
            String labelName,
            List<Row> boxes,
            byte[] segmentation,
            String shapes,
            String split,
            String manifestError) {
        return Hashing.sha256Hex(
                groundTruthHash(label, labelName, boxes, segmentation, shapes) + "|" + split + "|" + manifestError);
    }

    /** The images row of one listed file and what reading it gave. */
    Row row(Row f, Read read, Timestamp now) {
        return imageRow(
                read.id(),
                f.getAs("source_uri"),
                read.content(),
                f.getAs("label"),
                f.getAs("label_name"),
                f.isNullAt(f.fieldIndex("boxes")) ? List.of() : f.getList(f.fieldIndex("boxes")),
                f.getAs("segmentation"),
                f.getAs("shapes"),
                f.getAs("split") != null ? f.getAs("split") : defaultSplit,
                read.error(),
                f.getAs("manifest_error"),
                f.getAs("manifest_line"),
                new Source(f.getAs("length"), f.getAs("modified"), f.getAs("entry_hash")),
                maxPixels,
                now);
    }

    /** The images row of an image the project generates (a benchmark canvas): no file, no manifest. */
    static Row generatedRow(
            byte[] png, String uri, Integer label, String labelName, List<Row> boxes, String split, Timestamp now) {
        return imageRow(
                Hashing.sha256Hex(png),
                uri,
                png,
                label,
                labelName,
                boxes,
                null,
                null,
                split,
                null,
                null,
                null,
                null,
                ImageCodec.DEFAULT_MAX_PIXELS,
                now);
    }

    /**
     * The images row of one image: its format and size when it decodes, else why it cannot be used
     * ({@code readError} first, then the decoder's error, then the manifest's: a box reaching outside
     * the image is found here, where the size is known).
     */
    static Row imageRow(
            String id,
            String uri,
            byte[] content,
            Integer label,
            String labelName,
            List<Row> boxes,
            byte[] segmentation,
            String shapes,
            String split,
            String readError,
            String manifestError,
            Integer manifestLine,
            Source source,
            long maxPixels,
            Timestamp now) {
        Row first = boxes.isEmpty() ? null : boxes.get(0);
        Row box = first == null
                ? null
                : RowFactory.create(first.getInt(0), first.getInt(1), first.getInt(2), first.getInt(3));
        Table.RowBuilder row = Tables.IMAGES
                .row()
                .set("image_id", id)
                .set("source_uri", uri)
                .set("content", content)
                .set("label", label)
                .set("label_name", labelName)
                .set("bbox", box)
                .set(
                        "boxes",
                        boxes.isEmpty()
                                ? null
                                : JavaConverters.asScalaBuffer(boxes).toSeq())
                .set("segmentation", segmentation)
                .set("ground_truth_hash", groundTruthHash(label, labelName, boxes, segmentation, shapes))
                .set("split", split)
                .set("source_size", source == null ? null : source.size())
                .set("source_modified", source == null ? null : source.modified())
                .set("source_entry_hash", source == null ? null : source.entryHash())
                .set("retired_at", null)
                .set("ingested_at", now);
        try {
            if (readError != null) {
                throw new DecodeException(readError);
            }
            ImageCodec.Info info = ImageCodec.info(content, maxPixels);
            String error = manifestError;
            for (Row b : boxes) {
                if (error == null && (b.getInt(2) > info.width() || b.getInt(3) > info.height())) {
                    error = "manifest line " + manifestLine + ": box (" + b.getInt(0) + "," + b.getInt(1) + ")-("
                            + b.getInt(2) + "," + b.getInt(3) + ") reaches outside the " + info.width() + "x"
                            + info.height() + " image";
                    row.set("bbox", null).set("boxes", null);
                }
            }
            if (segmentation == null && shapes != null) {
                row.set("segmentation", Shapes.rasterise(shapes, info.width(), info.height()));
            }
            return row.set("format", info.format())
                    .set("width", info.width())
                    .set("height", info.height())
                    .set("channels", info.channels())
                    .set("orientation", info.orientation())
                    .set("error", error)
                    .build();
        } catch (DecodeException e) {
            return row.absent("format", "width", "height", "channels", "orientation")
                    .set("error", e.getMessage())
                    .build();
        }
    }

    /**
     * The hash of an image's ground truth (label, name, every box with its class, the segmentation's
     * bytes): equal for equal annotations, so a corrected manifest is seen as a change.
     */
    static String groundTruthHash(
            Integer label, String labelName, List<Row> boxes, byte[] segmentation, String shapes) {
        if (label == null && labelName == null && boxes.isEmpty() && segmentation == null && shapes == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder().append(label).append('|').append(labelName);
        for (Row b : boxes) {
            sb.append('|').append(b.mkString(","));
        }
        sb.append('|').append(segmentation == null ? "" : Hashing.sha256Hex(segmentation));
        sb.append('|').append(shapes == null ? "" : shapes);
        return Hashing.sha256Hex(sb.toString());
    }
}
