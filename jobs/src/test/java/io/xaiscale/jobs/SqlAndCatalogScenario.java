package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.analysis.StudentT;
import io.xaiscale.jobs.Fixture.Warehouse;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.delta.Upkeep;
import io.xaiscale.jobs.it.Child;
import io.xaiscale.jobs.session.SqlRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The warehouse as analysts open it: every SQL notebook of the repository runs (JVM calls refused); a
 * MERGE adds a column to an older table; maintenance compacts and turns on the change feed; tables
 * registered in a metastore run every notebook by name from another JVM.
 */
class SqlAndCatalogScenario extends Scenario {
    private static Map<String, List<Row>> notebooks;

    /**
     * Every notebook of the repository run over the fixture warehouse's paths, by file name: once for
     * both tests that need it (the fixture is read-only, and the catalog test's copy holds the same rows).
     */
    static synchronized Map<String, List<Row>> notebooksOverPaths() throws Exception {
        if (notebooks == null) {
            SqlRunner.registerViews(spark, fixture.warehouse.path());
            Map<String, List<Row>> out = new TreeMap<>();
            try (Stream<Path> s = Files.list(ROOT.resolve("notebooks-sql"))) {
                for (Path f :
                        s.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                    out.put(f.getFileName().toString(), SqlRunner.run(spark, f).collectAsList());
                }
            }
            notebooks = out;
        }
        return notebooks;
    }

    @Test
    void everySqlFileOfTheRepositoryRuns() throws Exception {
        Warehouse w = fixture.warehouse;
        String warehouse = w.path();
        Map<String, List<Row>> results = notebooksOverPaths();
        assertFalse(results.isEmpty());
        SqlRunner.registerViews(spark, warehouse);
        for (Map.Entry<String, List<Row>> e : results.entrySet()) {
            String f = e.getKey();
            List<Row> rows = e.getValue();
            // misclassified.sql needs maps of the label (--target predicted,label): TargetsAndGeometryScenario;
            // drift.sql two versions of a model: AuditScenario; outside_share.sql relevance_mass, which
            // CleverHansIT computes (its report's classes page); over_training.sql unit visualisations,
            // dissection.sql, uncertainty.sql and predictions.sql: InternalsScenario; models_side_by_side.sql two
            // models:
            // TransformerScenario. findings.sql: the fixture's audit
            boolean later = f.endsWith("misclassified.sql")
                    || f.endsWith("models_side_by_side.sql")
                    || f.endsWith("uncertainty.sql")
                    || f.endsWith("predictions.sql")
                    || f.endsWith("over_training.sql")
                    || f.endsWith("dissection.sql")
                    || f.endsWith("drift.sql")
                    || f.endsWith("outside_share.sql");
            assertEquals(later, rows.isEmpty(), f + " returned no rows");
        }
        // user SQL cannot call JVM methods (system properties hold credentials)
        for (String f : List.of("java_method", "reflect")) {
            Exception refused = assertThrows(
                    Exception.class,
                    () -> spark.sql("SELECT " + f + "('java.lang.System', 'getProperty', 'user.home')")
                            .collectAsList());
            assertTrue(refused.getMessage().contains(f), refused.getMessage());
        }
        // the leaderboard has one row per (metric, method) with rank 1 for some method of every metric
        List<Row> board = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/leaderboard.sql"))
                .collectAsList();
        assertEquals(11 * 6, board.size(), "4 + 7 metric outputs x 6 methods");
        // each interval is Student's t of its own values (t975(n - 1) sd / sqrt(n)), not the normal 1.96: the
        // values read once, grouped here
        Map<String, List<Double>> values = new HashMap<>();
        for (Row v : spark.sql("SELECT m.model_id, m.metric, m.metric_params, e.method_spec, m.value FROM metrics m"
                        + " JOIN (SELECT DISTINCT model_id, model_version, params_hash, method_spec FROM explanations) e"
                        + " ON e.model_id = m.model_id AND e.model_version = m.model_version"
                        + " AND e.params_hash = m.params_hash WHERE m.value IS NOT NULL")
                .collectAsList()) {
            values.computeIfAbsent(
                            v.getString(0) + " " + v.getString(1) + " " + v.getString(2) + " " + v.getString(3),
                            k -> new ArrayList<>())
                    .add(v.getDouble(4));
        }
        for (Row r : board) {
            List<Double> own = values.get(r.getAs("model_id") + " " + r.getAs("metric") + " " + r.getAs("metric_params")
                    + " " + r.getAs("method_spec"));
            long n = r.<Long>getAs("n");
            assertEquals(own.size(), n, r.toString());
            if (n < 3) {
                continue;
            }
            double mean =
                    own.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double var = own.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / (n - 1);
            double half = StudentT.t975(n - 1) * Math.sqrt(var / n);
            assertEquals(mean - half, r.<Double>getAs("ci95_low"), 6e-5, r.toString());
            assertEquals(mean + half, r.<Double>getAs("ci95_high"), 6e-5, r.toString());
        }
        // robust ranking: per family, the methods by median rank; every family of the run has a first
        List<Row> families = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/robust_ranking.sql"))
                .collectAsList();
        assertEquals(
                Set.of("faithfulness", "localisation", "robustness", "sanity", "complexity"),
                families.stream().map(r -> r.<String>getAs("family")).collect(Collectors.toSet()));
        assertEquals(
                5,
                families.stream()
                        .filter(r -> r.<Integer>getAs("family_rank") == 1)
                        .map(r -> r.<String>getAs("family"))
                        .distinct()
                        .count());
        // consistency and sufficiency of the dataset, from the maps' signatures
        for (Row r : SqlRunner.run(spark, ROOT.resolve("notebooks-sql/consistency.sql"))
                .collectAsList()) {
            Double consistency = r.getAs("consistency");
            assertTrue(consistency == null || (consistency >= 0 && consistency <= 1), r.toString());
        }
        List<Row> agreement = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/metric_agreement.sql"))
                .collectAsList();
        assertEquals(11 * 10 / 2, agreement.size(), "every pair of the 11 metric outputs");
        assertTrue(agreement.stream()
                .filter(r -> r.get(r.fieldIndex("rank_correlation")) != null)
                .allMatch(r -> Math.abs(r.<Double>getAs("rank_correlation")) <= 1.0 + 1e-9));
        assertEquals(
                11,
                board.stream()
                        .filter(r -> r.<Integer>getAs("rank") == 1)
                        .map(r -> r.<String>getAs("metric"))
                        .distinct()
                        .count());
    }

    @Test
    void anUpdateClauseOnATableWrittenBeforeItsColumnExistedAddsTheColumn() throws Exception {
        Path tmp = fixture.dir("old-table");
        String path = tmp.resolve("old-table").toString();
        StructType old = new StructType().add("k", "string").add("a", "int");
        spark.createDataFrame(List.of(RowFactory.create("x", 1)), old)
                .write()
                .format("delta")
                .save(path);
        StructType now = old.add("b", "long");
        long written = DeltaIO.insertOrUpdate(
                spark,
                spark.createDataFrame(List.of(RowFactory.create("x", 1, 7L)), now),
                path,
                List.of("k"),
                List.of(new DeltaIO.Update("NOT (t.b <=> s.b)", List.of("b"))));
        assertEquals(1, written);
        Row r = spark.read().format("delta").load(path).first();
        assertEquals(7L, r.<Long>getAs("b"));
    }

    @Test
    void maintainCompactsTheTablesTurnsOnTheChangeFeedAndRefusesAnUnsafeVacuum() throws Exception {
        Warehouse w = fixture.copy("maintain");
        String warehouse = w.path();
        // as created: the change feed on from the first version, liquid clustering, every column commented
        String explanations = "delta.`" + Tables.EXPLANATIONS.path(warehouse) + "`";
        assertEquals(
                "true",
                spark.sql("SHOW TBLPROPERTIES " + explanations + " (delta.enableChangeDataFeed)")
                        .first()
                        .getString(1));
        Row detail = spark.sql("DESCRIBE DETAIL " + explanations).first();
        assertEquals(List.of("model_id", "method"), detail.getList(detail.fieldIndex("clusteringColumns")));
        assertEquals(Tables.EXPLANATIONS.description(), detail.getAs("description"));
        assertTrue(
                detail.<String>getAs("description").endsWith("(key: image_id, model_id, model_version, params_hash)"));
        for (Table t : Tables.ALL) {
            if (DeltaIO.exists(spark, t.path(warehouse))) {
                for (Row c : spark.sql("DESCRIBE TABLE delta.`" + t.path(warehouse) + "`")
                        .collectAsList()) {
                    if (c.getString(0).isEmpty() || c.getString(0).startsWith("#")) {
                        break; // the columns end here (clustering information follows)
                    }
                    assertEquals(t.comment(c.getString(0)), c.getString(2), t.name() + "." + c.getString(0));
                }
            }
        }
        assertEquals(
                "Invalid --vacuum-hours: 1 (at least 168, Delta's safe default: a shorter retention deletes files that"
                        + " readers of older versions and time travel need; add --force true if no job reads versions"
                        + " older than that)",
                assertThrows(IllegalArgumentException.class, () -> Upkeep.check(1, false))
                        .getMessage());
        long rows = w.count(Tables.EXPLANATIONS);
        // no VACUUM here (only its refusal above): with it this test took 209 s on local[2]
        List<Upkeep.Done> done = Upkeep.run(spark, warehouse, 0, false, true);
        Upkeep.Done expl = done.stream()
                .filter(d -> d.table().equals("explanations"))
                .findFirst()
                .orElseThrow();
        assertTrue(expl.filesAfter() < expl.filesBefore(), "many small commits compacted: " + expl);
        assertEquals(rows, w.count(Tables.EXPLANATIONS), "the same rows");
    }

    /**
     * A job run with {@code --database} registers the warehouse in an
     * embedded Derby metastore (a child JVM), then a second JVM that knows only the metastore runs every
     * notebook by table name; each gives as many rows as over this JVM's views of the warehouse.
     */
    @Test
    void theTablesRegisteredInAMetastoreRunEveryNotebookByNameFromAnotherJvm() throws Exception {
        Warehouse w = fixture.copy("catalog");
        String warehouse = w.path();
        Path tmp = fixture.dir("catalog");
        Path metastore = tmp.resolve("catalog/metastore_db");
        Path logs = tmp.resolve("catalog/logs");
        Map<String, String> env = Map.of("SPARK_LOCAL_IP", "127.0.0.1", "OMP_NUM_THREADS", "1");
        String cp = System.getProperty("java.class.path");
        // any job registers after its run when given --database: here a query
        try (Child job = Child.java(
                "register",
                logs,
                catalogJvm(),
                cp,
                "io.xaiscale.jobs.Main",
                List.of(
                        "sql",
                        "--query",
                        "SELECT COUNT(*) FROM images",
                        "--warehouse",
                        warehouse,
                        "--master",
                        "local[1]",
                        "--database",
                        "xai_test",
                        "--metastore",
                        metastore.toString()),
                env,
                ROOT)) {
            assertEquals(0, job.awaitExit(Duration.ofMinutes(4)), job.tail());
            assertTrue(job.output().contains("[register] xai_test.explanations"), job.tail());
        }
        Map<String, Long> byName = new TreeMap<>();
        Map<String, String> again = new TreeMap<>();
        try (Child other = Child.java(
                "notebooks",
                logs,
                catalogJvm(),
                cp,
                CatalogNotebooks.class.getName(),
                List.of(
                        metastore.toString(),
                        "xai_test",
                        ROOT.resolve("notebooks-sql").toString(),
                        warehouse),
                env,
                ROOT)) {
            assertEquals(0, other.awaitExit(Duration.ofMinutes(6)), other.tail());
            for (String line : other.output().split("\n")) {
                if (line.startsWith("notebook ")) {
                    String[] f = line.trim().split(" ");
                    byName.put(f[1], Long.parseLong(f[2]));
                }
                if (line.startsWith("again ")) {
                    String[] f = line.trim().split(" ");
                    again.put(f[1], f[2]);
                }
            }
        }
        // the copy's rows are the fixture's: the notebooks over its paths
        Map<String, Long> byPath = new TreeMap<>();
        notebooksOverPaths().forEach((f, rows) -> byPath.put(f, (long) rows.size()));
        assertTrue(byPath.size() >= 19, byPath.toString());
        assertEquals(byPath, byName, "every notebook by table name, as over the warehouse's paths");
        assertTrue(byName.get("leaderboard.sql") > 0, byName.toString());
        // registering again keeps every table in place (the views of tables not written yet are made again)
        assertEquals(Tables.ALL.size() + 3, again.size(), again.toString());
        for (Table t : Tables.ALL) {
            boolean written = DeltaIO.exists(spark, t.path(warehouse));
            assertEquals(written ? "kept" : "view", again.get(t.name()), t.name());
        }
    }

    static List<String> catalogJvm() {
        List<String> jvm = new ArrayList<>(
                List.of(System.getProperty("xai.sparkFlags").trim().split("\\s+")));
        jvm.add("-Xmx1g");
        jvm.add("-Dlog4j2.configurationFile=" + ROOT.resolve("conf/log4j2.properties"));
        return jvm;
    }
}
