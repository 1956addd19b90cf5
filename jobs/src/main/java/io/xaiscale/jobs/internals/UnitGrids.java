package io.xaiscale.jobs.internals;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.stage.VisualiseStage;
import io.xaiscale.render.UnitGrid;
import io.xaiscale.util.FileNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The pictures of a visualise stage: one grid of its units' images per layer, read from {@code unit_visualisations}. */
public final class UnitGrids {
    private UnitGrids() {}

    /** One grid PNG per layer of the stage's units, from the table. */
    public static List<Path> write(SparkSession spark, VisualiseStage stage, Path outDir) throws Exception {
        VisualiseStage.Settings s = stage.visualisation();
        List<Path> written = new ArrayList<>();
        Files.createDirectories(outDir);
        for (var e : s.units().entrySet()) {
            List<Row> rows = DeltaIO.read(spark, s.stage().warehouse(), Tables.UNIT_VISUALISATIONS)
                    .where(Tables.ofModel(stage.card())
                            .and(col("layer").equalTo(e.getKey()))
                            .and(col("spec").equalTo(s.spec()))
                            .and(col("unit").isin(e.getValue().toArray()))
                            .and(col("error").isNull()))
                    .orderBy("unit")
                    .select("unit", "image", "activation")
                    .collectAsList();
            if (rows.isEmpty()) {
                continue;
            }
            List<UnitGrid.Tile> tiles = new ArrayList<>();
            for (Row r : rows) {
                tiles.add(new UnitGrid.Tile(
                        r.getAs("image"),
                        r.<Integer>getAs("unit") + String.format(": %.2f", r.<Double>getAs("activation"))));
            }
            Path p = outDir.resolve(
                    FileNames.safe(stage.card().id() + "-" + stage.card().version() + "-" + e.getKey()) + ".png");
            Files.write(
                    p,
                    ImageCodec.png(UnitGrid.of(stage.card().key() + ", " + e.getKey() + ": " + s.spec(), tiles, 8, 2)));
            written.add(p);
        }
        return written;
    }
}
