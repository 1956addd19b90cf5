package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.export.MapsExport;
import io.xaiscale.jobs.report.Chromium;
import io.xaiscale.jobs.report.Report;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import io.xaiscale.util.MapCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * What people look at: NumPy arrays and overlays of a selection; the report of the warehouse, opened
 * offline in Chromium with every chart drawn and the leaderboard's numbers the notebook's.
 */
class ExportAndReportScenario extends Scenario {
    @Test
    void exportWritesNumpyArraysAndOverlaysForTheSelection() throws Exception {
        Warehouse w = fixture.warehouse;
        String warehouse = w.path();
        Path tmp = fixture.dir("export");
        Path out = tmp.resolve("export");
        ModelCard card = ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"));
        MapsExport.Result r = MapsExport.write(
                spark,
                warehouse,
                card,
                out,
                "gradient,integrated_gradients[baseline=zero,steps=4]",
                "",
                "target_class >= 0",
                3,
                2,
                Overlay.Colors.MAGNITUDE,
                Overlay.View.INPUT);
        assertEquals(3, r.images());
        assertEquals(2, r.methods());
        List<String> entries = new ArrayList<>();
        byte[] gradient = null;
        try (ZipFile zip = new ZipFile(out.resolve("maps.npz").toFile())) {
            for (var e : Collections.list(zip.entries())) {
                entries.add(e.getName());
                if (e.getName().startsWith("gradient_")) {
                    gradient = zip.getInputStream(e).readAllBytes();
                }
            }
            String ids = new String(
                    zip.getInputStream(zip.getEntry("image_ids.npy")).readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(ids.contains("'descr': '|S64'") && ids.contains("'shape': (3,)"), ids.substring(0, 80));
        }
        assertEquals(3, entries.size(), entries.toString());
        String header = new String(gradient, 10, 118, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (3, 64, 64)"), header);
        // the first image's gradient map, as stored in Delta, is the array's first slice
        Row first = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(col("method").equalTo("gradient").and(col("error").isNull()))
                .orderBy("image_id")
                .first();
        float[] stored = MapCodec.decode(first.getAs("map"));
        ByteBuffer b = ByteBuffer.wrap(gradient, 128, 4 * 64 * 64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < stored.length; i++) {
            assertEquals(stored[i], b.getFloat(), 0f);
        }
        assertTrue(Files.readString(out.resolve("index.json")).contains("raw signed map"));
        assertEquals(
                3,
                Files.list(out.resolve("overlays"))
                        .filter(p -> p.toString().endsWith(".png"))
                        .count());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> MapsExport.write(
                        spark,
                        warehouse,
                        card,
                        out,
                        "lime",
                        "",
                        "",
                        3,
                        0,
                        Overlay.Colors.MAGNITUDE,
                        Overlay.View.INPUT));
        assertEquals(
                "No explanations of fmnist-loc-cnn@1 match the selection (methods 'lime', images '', where '')",
                e.getMessage());
    }

    @Test
    void theReportOfTheWarehouseOpensOfflineInChromiumWithEveryChartDrawn() throws Exception {
        Warehouse w = fixture.warehouse;
        String warehouse = w.path();
        Path tmp = fixture.dir("report");
        Path out = tmp.resolve("report");
        List<Path> pages = Report.write(
                spark,
                new Report.Settings(warehouse, out, List.of(ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"))), 2));
        assertEquals(
                Report.PAGES,
                pages.stream().map(p -> p.getFileName().toString()).toList());

        // the leaderboard's data and its charts' means are the notebook's
        SqlRunner.registerViews(spark, warehouse);
        List<Row> sql = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/leaderboard.sql"))
                .collectAsList();
        Path csv;
        try (Stream<Path> files = Files.list(out.resolve("data"))) {
            csv = files.filter(f -> f.toString().endsWith("-leaderboard.csv"))
                    .findFirst()
                    .orElseThrow();
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(sql.size() + 1, lines.size());
        for (int i = 0; i < sql.size(); i++) {
            List<String> expected = new ArrayList<>();
            for (int c = 0; c < sql.get(i).size(); c++) {
                expected.add(
                        sql.get(i).isNullAt(c) ? "" : String.valueOf(sql.get(i).get(c)));
            }
            assertEquals(expected, csvFields(lines.get(i + 1)));
        }
        String leaderboard = Files.readString(out.resolve("leaderboard.html"));
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"opt-c\\d+\">(.*?)</script>")
                .matcher(leaderboard);
        int boxes = 0;
        ObjectMapper json = new ObjectMapper();
        while (m.find()) {
            JsonNode o = json.readTree(m.group(1));
            if (!o.path("series").get(0).path("type").asText().equals("boxplot")) {
                continue;
            }
            for (int i = 0; i < o.path("xAxis").path("data").size(); i++) {
                String method = o.path("xAxis").path("data").get(i).asText();
                double mean = o.path("series").get(0).path("data").get(i).get(2).asDouble();
                assertTrue(
                        sql.stream()
                                .anyMatch(r -> r.<String>getAs("method_spec").equals(method)
                                        && Math.abs(r.<Double>getAs("mean") - mean) < 1e-12),
                        method + " " + mean);
                boxes++;
            }
        }
        assertTrue(boxes > 0);

        // every page in a real browser: scripts ran, every chart drew, every image loaded, nothing left the folder
        Chromium.require();
        Path shots = ROOT.resolve("jobs/target/report-screenshots");
        for (Path page : pages) {
            Chromium.Visit v = Chromium.open(page, tmp.resolve("chromium"));
            String source = Files.readString(page);
            int charts = source.split("class=\"plot\"", -1).length - 1;
            assertTrue(v.dom().contains("data-ready=\"true\""), page + ": its script did not finish\n" + v.dom());
            assertFalse(v.dom().contains("data-problems="), page + ": " + v.dom());
            assertTrue(v.dom().contains("data-charts=\"" + charts + "\""), page + " drew all " + charts + " charts");
            assertTrue(v.dom().split("<canvas", -1).length - 1 >= charts, page + ": a canvas per chart");
            assertEquals(List.of(), v.leaving(), page + " requested something outside its folder");
            Matcher img = Pattern.compile("<img src=\"([^\"]+)\"").matcher(source);
            while (img.find()) {
                assertTrue(Files.exists(out.resolve(img.group(1))), page + " links " + img.group(1));
            }
            Chromium.screenshot(
                    page,
                    shots.resolve(page.getFileName().toString().replace(".html", ".png")),
                    tmp.resolve("chromium"));
        }
        assertTrue(
                Files.readString(out.resolve("index.html")).contains("<img src=\"img/"),
                "a finding's gallery is drawn");
    }

    /** A CSV line's fields (RFC 4180 quotes). */
    static List<String> csvFields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cur.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
