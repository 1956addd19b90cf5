package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.ingest.IngestReport;
import io.xaiscale.jobs.ingest.Layout;
import io.xaiscale.jobs.ingest.ShapesTest;
import io.xaiscale.jobs.ingest.TableSource;
import io.xaiscale.jobs.stage.Selection;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Ingest: the VOC, ImageFolder and COCO layouts with their classes and boxes and what is wrong named; a
 * corrected box updates its image in place and evaluate recomputes only its localisation values; the
 * same bytes under a second path never flip an image's labels; images that leave the source are retired.
 */
class IngestScenario extends Scenario {
    @Test
    void vocImageFolderAndCocoLayoutsIngestTheirClassesAndBoxesAndNameWhatIsWrong() throws Exception {
        Path tmp = fixture.dir("layouts");
        List<String> classes =
                ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn")).classes();
        // Pascal VOC: 1-based inclusive boxes, a difficult flag, an unknown class, a broken annotation
        Path voc = tmp.resolve("voc");
        Files.createDirectories(voc.resolve("Annotations"));
        Files.writeString(
                voc.resolve("Annotations/a.xml"),
                "<annotation><filename>a.jpg</filename>"
                        + "<object><name>trouser</name><difficult>0</difficult><bndbox><xmin>11</xmin><ymin>21</ymin>"
                        + "<xmax>30</xmax><ymax>40</ymax></bndbox></object>"
                        + "<object><name>bag</name><difficult>1</difficult><bndbox><xmin>1</xmin><ymin>1</ymin>"
                        + "<xmax>10</xmax><ymax>10</ymax></bndbox></object></annotation>");
        Files.writeString(
                voc.resolve("Annotations/b.xml"),
                "<annotation><filename>b.jpg</filename>"
                        + "<object><name>person</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax>"
                        + "</bndbox></object></annotation>");
        Files.writeString(voc.resolve("Annotations/c.xml"), "<annotation><filename>c.jpg");
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        Files.writeString(voc.resolve("ImageSets/Main/train.txt"), "a\nb\n");
        for (String f : List.of("a.jpg", "b.jpg", "d.jpg")) {
            jpeg(voc.resolve("JPEGImages").resolve(f));
        }
        String vocWh = tmp.resolve("voc-warehouse").toString();
        IngestReport r =
                IngestJob.ingestFiles(spark, vocWh, layout(voc.toString(), "", "trainval", classes, Layout.VOC));
        assertEquals(7, r.listed());
        assertEquals(4, r.files("annotation"));
        assertEquals(2, r.files("image"));
        assertEquals(1, r.files("error_row"));
        assertEquals(1, r.manifestRows("unreadable_row"));
        Row a = imageRow(vocWh, "JPEGImages/a.jpg");
        assertEquals("[[10,20,30,40,1,trouser,false], [0,0,10,10,8,bag,true]]", boxes(a));
        assertNull(a.getAs("label"), "two classes: no single label");
        assertEquals(
                List.of(10, 20, 30, 40),
                List.of(
                        ((Row) a.getAs("bbox")).getInt(0),
                        ((Row) a.getAs("bbox")).getInt(1),
                        ((Row) a.getAs("bbox")).getInt(2),
                        ((Row) a.getAs("bbox")).getInt(3)));
        assertTrue(
                imageRow(vocWh, "JPEGImages/b.jpg")
                        .<String>getAs("error")
                        .startsWith("annotation Annotations/b.xml: boxes[0]: label_name 'person' is not a class of the"
                                + " model"),
                imageRow(vocWh, "JPEGImages/b.jpg").<String>getAs("error"));
        assertNull(imageRow(vocWh, "JPEGImages/d.jpg").getAs("boxes"));

        // ImageFolder: the class is the folder; an unknown folder is an error, a file at the root has none
        Path folder = tmp.resolve("imagefolder");
        for (String f : List.of("trouser/x.png", "Bag/y.png", "person/z.png", "top.png")) {
            jpeg(folder.resolve(f));
        }
        String ifWh = tmp.resolve("if-warehouse").toString();
        r = IngestJob.ingestFiles(spark, ifWh, layout(folder.toString(), "", "train", classes, Layout.IMAGEFOLDER));
        assertEquals(3, r.files("image"));
        assertEquals(1, r.files("error_row"));
        assertEquals(1, imageRow(ifWh, "trouser/x.png").<Integer>getAs("label"));
        assertEquals(8, imageRow(ifWh, "Bag/y.png").<Integer>getAs("label"), "class names match regardless of case");
        assertTrue(
                imageRow(ifWh, "person/z.png").<String>getAs("error").contains("label_name 'person' is not a class"));
        assertNull(imageRow(ifWh, "top.png").getAs("label"));

        // COCO: [x, y, w, h] rounded outwards, crowd kept as difficult, an unknown category, a missing file
        Path coco = tmp.resolve("coco");
        jpeg(coco.resolve("img1.png"));
        jpeg(coco.resolve("img22.png"));
        Path instances = tmp.resolve("instances.json");
        Files.writeString(
                instances,
                "{\"images\": [{\"id\": 1, \"file_name\": \"img1.png\"},"
                        + " {\"id\": 2, \"file_name\": \"img22.png\"}, {\"id\": 3, \"file_name\": \"missing.png\"}],"
                        + " \"annotations\": [{\"id\": 7, \"image_id\": 1, \"category_id\": 2, \"bbox\": [10.5, 20.2, 15.0, 10.0],"
                        + " \"segmentation\": [[10, 20, 25, 20, 25, 30, 10, 30]], \"iscrowd\": 0}, {\"id\": 8, \"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 5, 5], \"iscrowd\": 1},"
                        + " {\"id\": 9, \"image_id\": 2, \"category_id\": 9, \"bbox\": [1, 1, 4, 4]}],"
                        + " \"categories\": [{\"id\": 2, \"name\": \"trouser\"}, {\"id\": 9, \"name\": \"person\"}]}");
        String cocoWh = tmp.resolve("coco-warehouse").toString();
        r = IngestJob.ingestFiles(
                spark, cocoWh, layout(coco.toString(), instances.toString(), "val", classes, Layout.COCO));
        assertEquals(1, r.manifestRows("no_file"));
        Row img1 = imageRow(cocoWh, "/img1.png");
        assertEquals("[[10,20,26,31,1,trouser,false], [0,0,5,5,1,trouser,true]]", boxes(img1));
        assertEquals(1, img1.<Integer>getAs("label"), "one class: the image's label");
        assertEquals(
                15 * 10,
                ShapesTest.count(img1.getAs("segmentation"), 2),
                "the polygon rasterised where the image was read, as class 1 + 1");
        assertTrue(imageRow(cocoWh, "img22.png")
                .<String>getAs("error")
                .startsWith("COCO image 2: boxes[0]: label_name" + " 'person' is not a class"));
    }

    @Test
    void aCorrectedBoxUpdatesTheImageAndEvaluateRecomputesOnlyItsLocalisationValues() throws Exception {
        Warehouse w = fixture.copy("corrected-box");
        String warehouse = w.path();
        Path tmp = fixture.dir("corrected-box");
        Path source = fixture.source;
        Path manifest = tmp.resolve("manifest.csv");
        String before = Files.readString(source.resolve("manifest.csv"));
        String line = before.lines()
                .filter(l -> l.startsWith("fmnist-loc-test-00001.png"))
                .findFirst()
                .orElseThrow();
        String[] f = line.split(",");
        f[3] = Integer.toString(Integer.parseInt(f[3]) - 1); // x0 one pixel to the left
        Files.writeString(manifest, before.replace(line, String.join(",", f)));
        long images = w.count(Tables.IMAGES);
        long metrics = w.count(Tables.METRICS);
        IngestReport r = IngestJob.ingestFiles(spark, warehouse, source.toString(), manifest.toString(), "sample");
        assertEquals(1, r.written(), "the corrected image's ground truth, in place");
        assertEquals(1, r.files("image"), "only the file whose manifest values changed is read");
        assertEquals(images, w.count(Tables.IMAGES), "not a new image: the key is the content hash");
        StageRunner.Result v = w.evaluate(METRICS);
        assertEquals(
                6 * 2, v.pending(), "iou and pointing game of that image, for each of the 6 methods; nothing else");
        assertEquals(6 * 2, v.inserted(), "replaced");
        assertEquals(metrics, w.count(Tables.METRICS));
        assertEquals(0, w.evaluate(METRICS).pending());
    }

    /**
     * The same bytes under a second path, added on a later run with other labels: the same-bytes rule
     * decides over both files on every run (the earlier row is a candidate too), so the image keeps one
     * row whose error names both files, run after run, never the labels of the file read last; the
     * manifest mended, --retry-errors gives the agreed labels.
     */
    @Test
    void theSameBytesUnderASecondPathNeverFlipTheImagesLabelsAcrossRuns() throws Exception {
        Path tmp = fixture.dir("twins");
        Path dir = Files.createDirectories(tmp.resolve("twins"));
        Files.copy(ROOT.resolve("data/sample/fmnist-loc-test-00000.png"), dir.resolve("a.png"));
        String header = "path,label,x0,y0,x1,y1\n";
        Files.writeString(dir.resolve("manifest.csv"), header + "a.png,3,0,0,8,8\n");
        String wh = tmp.resolve("twins-warehouse").toString();
        List<String> classes =
                ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn")).classes();
        Supplier<IngestJob.Files> files =
                () -> layout(dir.toString(), dir.resolve("manifest.csv").toString(), "sample", classes, Layout.FILES);
        IngestJob.ingestFiles(spark, wh, files.get());
        // a second file with the same bytes and another label, added later
        Files.copy(dir.resolve("a.png"), dir.resolve("b.png"));
        Files.writeString(dir.resolve("manifest.csv"), header + "a.png,3,0,0,8,8\nb.png,5,0,0,8,8\n");
        String conflict = "the same bytes are 2 files whose manifest rows disagree: ";
        for (int run = 2; run <= 3; run++) {
            IngestReport r = IngestJob.ingestFiles(spark, wh, files.get());
            List<Row> rows =
                    spark.read().format("delta").load(Tables.IMAGES.path(wh)).collectAsList();
            assertEquals(1, rows.size(), "run " + run + ": one row for the bytes");
            Row image = rows.get(0);
            assertTrue(image.<String>getAs("source_uri").endsWith("/a.png"), "run " + run + ": the first path kept");
            assertEquals(3, image.<Integer>getAs("label"), "run " + run + ": never b's label");
            assertTrue(
                    image.<String>getAs("error").startsWith(conflict),
                    "run " + run + ": " + image.<String>getAs("error"));
            assertTrue(
                    image.<String>getAs("error").contains("/a.png (ingested before), "), image.<String>getAs("error"));
            assertTrue(image.<String>getAs("error").contains("/b.png (line 3)"), image.<String>getAs("error"));
            assertEquals(1, r.files("duplicate_content"), "run " + run + ": b.png, " + r.lines());
        }
        // the manifest mended: both say 3; --retry-errors replaces the error row
        Files.writeString(dir.resolve("manifest.csv"), header + "a.png,3,0,0,8,8\nb.png,3,0,0,8,8\n");
        IngestJob.Files f = files.get();
        IngestJob.ingestFiles(
                spark,
                wh,
                new IngestJob.Files(
                        f.source(),
                        f.manifest(),
                        f.defaultSplit(),
                        f.classes(),
                        f.maxPixels(),
                        f.maxFileBytes(),
                        0,
                        true,
                        f.layout(),
                        f.columns()));
        Row mended = spark.read().format("delta").load(Tables.IMAGES.path(wh)).first();
        assertNull(mended.getAs("error"));
        assertEquals(3, mended.<Integer>getAs("label"));
        assertTrue(mended.<String>getAs("source_uri").endsWith("/a.png"));
        assertNull(mended.getAs("retired_at"));

        // both files leave the source: the image is retired (its row stays, selections skip it); back again
        Path away = Files.createDirectories(tmp.resolve("twins-away"));
        Files.move(dir.resolve("a.png"), away.resolve("a.png"));
        Files.move(dir.resolve("b.png"), away.resolve("b.png"));
        IngestJob.ingestFiles(spark, wh, files.get());
        Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(wh));
        assertEquals(1, images.count());
        assertNotNull(images.first().getAs("retired_at"));
        assertEquals(0, Selection.ALL.apply(images).count(), "never selected again");
        Files.move(away.resolve("a.png"), dir.resolve("a.png"));
        IngestJob.ingestFiles(spark, wh, files.get());
        images = spark.read().format("delta").load(Tables.IMAGES.path(wh));
        assertNull(images.first().getAs("retired_at"), "back");
        assertEquals(1, Selection.ALL.apply(images).count());
    }

    /**
     * A Parquet table of images as Hugging Face datasets write it ({@code image: struct<bytes, path>},
     * {@code label: int}, {@code split}), read on the executors, every row accounted for: two images, the
     * same bytes again (one key: {@code duplicate_key}), corrupt bytes, no bytes and a label outside the
     * model's classes as error rows; on the next run a row that leaves the table is retired, a new one
     * read and nothing else. A Delta table with a key column and class names; a wrong column fails at start
     * naming the table's columns.
     */
    @Test
    void aParquetTableOfImagesIsReadOnTheExecutorsWithEveryRowAccountedFor() throws Exception {
        Path tmp = fixture.dir("parquet");
        List<String> classes =
                ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn")).classes();
        byte[] a = png(tmp, "a.png");
        byte[] b = png(tmp, "b.png");
        byte[] c = png(tmp, "c.png");
        StructType image = new StructType().add("bytes", DataTypes.BinaryType).add("path", DataTypes.StringType);
        StructType schema = new StructType()
                .add("image", image)
                .add("label", DataTypes.IntegerType)
                .add("split", DataTypes.StringType);
        List<Row> rows = new ArrayList<>(List.of(
                RowFactory.create(RowFactory.create(a, "a.png"), 1, "train"),
                RowFactory.create(RowFactory.create(b, "b.png"), 2, "test"),
                RowFactory.create(RowFactory.create(a, "a-again.png"), 1, "train"),
                RowFactory.create(RowFactory.create("not an image".getBytes(StandardCharsets.UTF_8), "x.png"), 3, null),
                RowFactory.create(RowFactory.create(null, "none.png"), 3, "train"),
                RowFactory.create(RowFactory.create(c, "c.png"), 42, "train")));
        String table = tmp.resolve("table").toString();
        spark.createDataFrame(rows, schema).write().parquet(table);
        String wh = tmp.resolve("wh").toString();
        Supplier<IngestJob.Files> files = () -> layout(table, "", "unspecified", classes, Layout.PARQUET);
        IngestReport r = IngestJob.ingestFiles(spark, wh, files.get());
        assertEquals(6, r.listed(), r.lines().toString());
        assertEquals(2, r.files("image"), r.lines().toString());
        assertEquals(3, r.files("error_row"), r.lines().toString());
        assertEquals(1, r.files("duplicate_key"), r.lines().toString());
        Row first = imageRow(wh, "#sha256:" + Hashing.sha256Hex(a));
        assertEquals(1, first.<Integer>getAs("label"));
        assertEquals(classes.get(1), first.getAs("label_name"));
        assertEquals("train", first.getAs("split"));
        assertEquals(64, first.<Integer>getAs("width"));
        assertNull(first.getAs("error"));
        assertEquals(
                "unspecified",
                imageRow(wh, "#sha256:" + Hashing.sha256Hex("not an image".getBytes(StandardCharsets.UTF_8)))
                        .getAs("split"));
        assertEquals(
                "no image bytes (the image column is null or empty)",
                imageRow(wh, "#no-bytes").getAs("error"));
        assertEquals(
                "label: label 42 is not a class of the model (0.." + (classes.size() - 1) + ")",
                imageRow(wh, "#sha256:" + Hashing.sha256Hex(c)).getAs("error"));

        // b leaves the table and d comes: the next run reads d alone, the rest unchanged
        byte[] d = png(tmp, "d.png");
        rows.remove(1);
        rows.add(RowFactory.create(RowFactory.create(d, "d.png"), 4, "train"));
        spark.createDataFrame(rows, schema).write().mode("overwrite").parquet(table);
        r = IngestJob.ingestFiles(spark, wh, files.get());
        assertEquals(1, r.files("image"), r.lines().toString());
        assertEquals(4, r.files("unchanged"), r.lines().toString());
        assertNotNull(imageRow(wh, "#sha256:" + Hashing.sha256Hex(b)).getAs("retired_at"), "b left the table");
        assertNull(imageRow(wh, "#sha256:" + Hashing.sha256Hex(d)).getAs("retired_at"));

        // a Delta table: rows named by a key column, labels by class name
        String deltaTable = tmp.resolve("delta-table").toString();
        spark.createDataFrame(
                        List.of(RowFactory.create("k1", a, classes.get(5)), RowFactory.create("k2", b, "person")),
                        new StructType()
                                .add("id", DataTypes.StringType)
                                .add("img", DataTypes.BinaryType)
                                .add("cls", DataTypes.StringType))
                .write()
                .format("delta")
                .save(deltaTable);
        String wh2 = tmp.resolve("wh2").toString();
        IngestJob.Files named =
                layout(deltaTable, "val", classes, new TableSource.Columns("img", "id", "cls", "split"));
        r = IngestJob.ingestFiles(spark, wh2, named);
        assertEquals(1, r.files("image"), r.lines().toString());
        assertEquals(5, imageRow(wh2, "#k1").<Integer>getAs("label"));
        assertEquals("val", imageRow(wh2, "#k1").getAs("split"));
        assertTrue(imageRow(wh2, "#k2").<String>getAs("error").contains("label_name 'person' is not a class"));

        // a column the table has not: refused before any row is read, naming the table's columns
        IllegalArgumentException wrong = assertThrows(
                IllegalArgumentException.class,
                () -> IngestJob.ingestFiles(
                        spark,
                        wh2,
                        layout(deltaTable, "val", classes, new TableSource.Columns("picture", "id", "cls", "split"))));
        assertTrue(
                wrong.getMessage().startsWith("Invalid --image-column for --layout parquet: picture (columns of "),
                wrong.getMessage());
        assertTrue(wrong.getMessage().endsWith(": id, img, cls)"), wrong.getMessage());
    }

    /**
     * WebDataset shards streamed by the executors, every sample accounted for: labels from .cls and
     * .json, a sample without an image and a corrupt image as error rows, the same bytes in another shard
     * as duplicate content, and a shard cut short inside a member: its samples before are kept, the
     * damage is an error row naming it.
     */
    @Test
    void webDatasetShardsAreStreamedOnTheExecutorsAndACutShardIsAnErrorRow() throws Exception {
        Path tmp = fixture.dir("webdataset");
        List<String> classes =
                ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn")).classes();
        byte[] a = png(tmp, "a.png");
        byte[] b = png(tmp, "b.png");
        byte[] e = png(tmp, "e.png");
        byte[] f = png(tmp, "f.png");
        Path shards = Files.createDirectories(tmp.resolve("shards"));
        Files.write(
                shards.resolve("000000.tar"),
                tar(List.of(
                        Map.entry("a.png", a),
                        Map.entry("a.cls", "1\n".getBytes(StandardCharsets.UTF_8)),
                        Map.entry("b.png", b),
                        Map.entry(
                                "b.json",
                                "{\"label\": \"trouser\", \"split\": \"val\"}".getBytes(StandardCharsets.UTF_8)),
                        Map.entry("c.cls", "2".getBytes(StandardCharsets.UTF_8)),
                        Map.entry("d.png", "not an image".getBytes(StandardCharsets.UTF_8)))));
        byte[] second = tar(List.of(Map.entry("a.png", a), Map.entry("e.png", e), Map.entry("f.png", f)));
        // cut inside f.png's data: its header is read, its bytes end early
        int cut = 3 * 512 + padded(a.length) + padded(e.length) + f.length / 2;
        Files.write(shards.resolve("000001.tar"), Arrays.copyOf(second, cut));
        String wh = tmp.resolve("wh").toString();
        IngestReport r =
                IngestJob.ingestFiles(spark, wh, layout(shards.toString(), "", "train", classes, Layout.WEBDATASET));
        assertEquals(7, r.listed(), r.lines().toString());
        assertEquals(3, r.files("image"), r.lines().toString());
        assertEquals(1, r.files("duplicate_content"), r.lines().toString());
        assertEquals(3, r.files("error_row"), r.lines().toString());
        Row first = imageRow(wh, "000000.tar#a");
        assertEquals(1, first.<Integer>getAs("label"));
        assertEquals("train", first.getAs("split"));
        Row named = imageRow(wh, "000000.tar#b");
        assertEquals(ModelCard.classIndex(classes, "trouser"), named.<Integer>getAs("label"));
        assertEquals("val", named.getAs("split"));
        assertEquals(
                "no image member (members: c.cls)", imageRow(wh, "000000.tar#c").getAs("error"));
        assertNotNull(imageRow(wh, "000000.tar#d").getAs("error"));
        assertNull(imageRow(wh, "000001.tar#e").getAs("error"), "the cut shard's samples before the cut are kept");
        assertTrue(
                imageRow(wh, "000001.tar#(unreadable after 2 sample(s))")
                        .<String>getAs("error")
                        .startsWith("unreadable shard after 2 sample(s): "),
                r.lines().toString());
        // nothing changed: nothing read again
        r = IngestJob.ingestFiles(spark, wh, layout(shards.toString(), "", "train", classes, Layout.WEBDATASET));
        assertEquals(0, r.written(), r.lines().toString());
    }

    /** A tar member's data as stored: padded to 512-byte records. */
    static int padded(int bytes) {
        return (bytes + 511) / 512 * 512;
    }

    /** A tar of these members, in order. */
    static byte[] tar(List<Map.Entry<String, byte[]>> members) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (org.apache.commons.compress.archivers.tar.TarArchiveOutputStream t =
                new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> m : members) {
                org.apache.commons.compress.archivers.tar.TarArchiveEntry entry =
                        new org.apache.commons.compress.archivers.tar.TarArchiveEntry(m.getKey());
                entry.setSize(m.getValue().length);
                t.putArchiveEntry(entry);
                t.write(m.getValue());
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    static byte[] png(Path dir, String name) throws Exception {
        Path file = dir.resolve("png").resolve(name);
        jpeg(file);
        return Files.readAllBytes(file);
    }

    static void jpeg(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        int h = file.getFileName().toString().hashCode();
        for (int i = 0; i < 64; i++) {
            img.setRGB(i, (h >>> 3) & 63, 0xffffff ^ h); // distinct bytes per file name
        }
        ImageIO.write(img, file.toString().endsWith(".png") ? "png" : "jpeg", file.toFile());
    }

    static Row imageRow(String wh, String suffix) {
        return spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(wh))
                .where(col("source_uri").endsWith(suffix))
                .first();
    }

    /** A table of images read with these columns ({@code --layout parquet}). */
    static IngestJob.Files layout(String table, String split, List<String> classes, TableSource.Columns columns) {
        return new IngestJob.Files(
                table, "", split, classes, 100_000_000L, 1L << 20, 0, false, Layout.PARQUET, columns);
    }

    static IngestJob.Files layout(String source, String manifest, String split, List<String> classes, Layout layout) {
        return new IngestJob.Files(
                source,
                manifest,
                split,
                classes,
                100_000_000L,
                1L << 20,
                0,
                false,
                layout,
                TableSource.Columns.DEFAULT);
    }

    static String boxes(Row image) {
        return image.getList(image.fieldIndex("boxes")).toString();
    }
}
