package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.overlay.OverlayJob;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * What a map is of: boxes follow the card's geometry (a box cropped away is not applicable, maps are drawn
 * back on the originals); several targets per image (predicted, label, labels, top-k) are kept apart and
 * scored each.
 */
class TargetsAndGeometryScenario extends Scenario {
    @Test
    void boxesFollowTheCardsGeometryAndABoxCroppedAwayIsNotApplicable() throws Exception {
        Path tmp = fixture.dir("geometry");
        // the shipped model read with torchvision's recipe: shorter side to 64, centre crop 64x64
        Path model = Files.createDirectories(tmp.resolve("center-crop-model"));
        Path src = ROOT.resolve("models/fmnist-loc-cnn");
        Files.copy(src.resolve("fmnist-loc-cnn-0000.params"), model.resolve("fmnist-loc-cnn-0000.params"));
        Files.writeString(
                model.resolve("model.json"),
                Files.readString(src.resolve("model.json"))
                        .replace(
                                "\"resize\" : \"bilinear\",",
                                "\"geometry\" : \"resize_center_crop\", \"resize_to\" : 64,"));
        // two 128x64 photos: the centre crop keeps columns 32..95, so a box at the left edge is cut away
        Path photos = Files.createDirectories(tmp.resolve("wide"));
        BufferedImage img = new BufferedImage(128, 64, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(60, 30, 0, 200);
        Files.write(photos.resolve("centre.png"), ImageCodec.png(img));
        img.getRaster().setSample(61, 30, 0, 200);
        Files.write(photos.resolve("edge.png"), ImageCodec.png(img));
        Files.writeString(
                photos.resolve("manifest.csv"),
                "path,label,x0,y0,x1,y1\ncentre.png,1,48,16,80,48\nedge.png,1,0,16,20,48\n");
        String wh = tmp.resolve("geometry-warehouse").toString();
        IngestJob.ingestFiles(
                spark, wh, photos.toString(), photos.resolve("manifest.csv").toString(), "test");
        String[] common = {"--warehouse", wh, "--model", model.toString(), "--agreement", "false"};
        StageRunner.runInOrder(
                spark,
                List.of(ExplainCommand.stage(new ExplainCommand()
                        .options()
                        .parse(Stream.concat(Stream.of(common), Stream.of("--methods", "gradient"))
                                .filter(a -> !a.equals("--agreement") && !a.equals("false"))
                                .toArray(String[]::new)))));
        StageRunner.runInOrder(
                spark,
                EvaluateCommand.stages(new EvaluateCommand()
                        .options()
                        .parse(Stream.concat(Stream.of(common), Stream.of("--metrics", "pointing_game"))
                                .toArray(String[]::new))));
        Dataset<Row> m = spark.read().format("delta").load(Tables.METRICS.path(wh));
        String edgeId = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(wh))
                .where(col("source_uri").endsWith("edge.png"))
                .first()
                .getAs("image_id");
        Row edge = m.where(col("image_id").equalTo(edgeId)).first();
        assertNull(edge.getAs("value"));
        assertEquals(
                "not applicable: the ground-truth box lies outside the model's input (cropped away by resize_center_crop)",
                edge.getAs("error"));
        assertEquals(1, m.where(col("value").isNotNull()).count(), "the centred box, moved to 16..48, is scored");
        // the leaderboard says over how many maps the mean is, and how many the metric did not apply to
        SqlRunner.registerViews(spark, wh);
        Row lb = spark.sql("SELECT n, not_applicable FROM leaderboard WHERE metric = 'pointing_game'")
                .first();
        assertEquals(List.of(1L, 1L), List.of(lb.getLong(0), lb.getLong(1)));

        // the maps drawn back on the 128x64 originals: columns 0..31 and 96..127 were cropped away (hatched)
        List<Path> grids = OverlayJob.render(
                spark,
                wh,
                ModelCard.read(model),
                tmp.resolve("wide-overlays"),
                2,
                2,
                Overlay.Colors.SIGNED,
                Overlay.View.ORIGINAL);
        assertEquals(2, grids.size());
        BufferedImage grid = ImageIO.read(grids.get(0).toFile());
        assertEquals(4 + 2 * (128 + 4), grid.getWidth(), "the original tile is 128 wide, then one map tile");
        int tile = 4 + 128 + 4;
        int[] hatched = new int[2]; // left margin, centre: hatch-line pixels that are hatch grey
        int[] lines = new int[2];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                if ((x + y) % 8 < 2) {
                    int area = x < 32 ? 0 : 1;
                    lines[area]++;
                    hatched[area] += (grid.getRGB(tile + x, 28 + y) & 0xffffff) == 0x808080 ? 1 : 0;
                }
            }
        }
        assertEquals(lines[0], hatched[0], "every hatch line of the cropped margin");
        assertTrue(hatched[1] < lines[1] / 2, "the kept centre is the map, not hatching: " + hatched[1]);
    }

    @Test
    void severalTargetsPerImageAreKeptApartAndScoredEach() throws Exception {
        Warehouse w = fixture.copy("targets");
        String warehouse = w.path();
        Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
        long n = images.count();
        // every image of this warehouse has one ground-truth class (its label; boxes without a class)
        assertEquals(0, images.where(col("label").isNull()).count());
        ExplainStage stage = ExplainCommand.stage(w.options(
                new ExplainCommand(), "--methods", "gradient", "--target", "predicted,label,labels,top_k[k=3]"));
        StageRunner.Result e = StageRunner.run(spark, stage);
        // predicted was explained by the first run; top_2, top_3, label and class_<label> are new
        assertEquals(4 * n, e.pending());
        assertEquals(0, StageRunner.run(spark, stage).pending(), "a rerun adds nothing");
        Dataset<Row> expl = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(col("method").equalTo("gradient").and(col("error").isNull()));
        Row image = images.where(col("source_uri").endsWith("fmnist-loc-test-00002.png"))
                .first();
        Map<String, Row> byTarget = new HashMap<>();
        for (Row r : expl.where(col("image_id").equalTo(image.<String>getAs("image_id")))
                .collectAsList()) {
            byTarget.put(r.getAs("target_rule"), r);
        }
        int label = image.getAs("label");
        assertEquals(Set.of("predicted", "top_2", "top_3", "label", "class_" + label), byTarget.keySet());
        int predicted = byTarget.get("predicted").getAs("target_class");
        assertEquals(predicted, byTarget.get("top_2").<Integer>getAs("predicted_class"));
        Set<Integer> top = Set.of(
                predicted,
                byTarget.get("top_2").getAs("target_class"),
                byTarget.get("top_3").getAs("target_class"));
        assertEquals(3, top.size(), "three different classes");
        assertEquals(label, byTarget.get("label").<Integer>getAs("target_class"));
        assertEquals(label, byTarget.get("class_" + label).<Integer>getAs("target_class"));
        // the class decides the map: the label's and class_<label>'s are the same, top_2's is another
        assertTrue(Arrays.equals(
                byTarget.get("label").<byte[]>getAs("map"),
                byTarget.get("class_" + label).getAs("map")));
        assertFalse(Arrays.equals(
                byTarget.get("predicted").<byte[]>getAs("map"),
                byTarget.get("top_2").getAs("map")));

        // each map is scored on its own (no collision of two targets of one method)
        long before = w.count(Tables.METRICS);
        StageRunner.Result v = w.evaluate("iou");
        long good = expl.where(col("target_rule").notEqual("predicted")).count();
        assertEquals(good, v.pending());
        assertEquals(before + good, w.count(Tables.METRICS));
        // predicted and label maps side by side, per method and localisation metric
        SqlRunner.registerViews(spark, warehouse);
        List<Row> both = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/misclassified.sql"))
                .collectAsList();
        assertTrue(both.stream().anyMatch(r -> r.<String>getAs("metric").equals("iou")), both.toString());
        // agreement pairs only maps of the same class
        Dataset<Row> agree = spark.read().format("delta").load(Tables.METHOD_AGREEMENT.path(warehouse));
        Dataset<Row> keys = expl.select("image_id", "params_hash", "target_class");
        assertEquals(
                0,
                agree.join(
                                keys.toDF("image_id", "params_hash_a", "class_a"),
                                DeltaIO.columns("image_id", "params_hash_a"))
                        .join(
                                keys.toDF("image_id", "params_hash_b", "class_b"),
                                DeltaIO.columns("image_id", "params_hash_b"))
                        .where(col("class_a").notEqual(col("class_b")))
                        .count());
    }
}
