package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.jobs.it.Child;
import io.xaiscale.jobs.spark.SqlRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * PipelineTest's catalog order: a job run with {@code --database} registers the warehouse in an
 * embedded Derby metastore (a child JVM), then a second JVM that knows only the metastore runs every
 * notebook by table name; each gives as many rows as over this JVM's views of the warehouse.
 */
final class CatalogScenario {
    private CatalogScenario() {}

    static List<String> jvm(Path root) {
        List<String> jvm = new ArrayList<>(
                List.of(System.getProperty("xai.sparkFlags").trim().split("\\s+")));
        jvm.add("-Xmx1g");
        jvm.add("-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties"));
        return jvm;
    }

    static void run(SparkSession spark, String warehouse, Path root, Path tmp) throws Exception {
        Path metastore = tmp.resolve("catalog/metastore_db");
        Path logs = tmp.resolve("catalog/logs");
        Map<String, String> env = Map.of("SPARK_LOCAL_IP", "127.0.0.1", "OMP_NUM_THREADS", "1");
        String cp = System.getProperty("java.class.path");
        // any job registers after its run when given --database: here a query
        try (Child job = Child.java(
                "register",
                logs,
                jvm(root),
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
                root)) {
            assertEquals(0, job.awaitExit(Duration.ofMinutes(4)), job.tail());
            assertTrue(job.output().contains("[register] xai_test.explanations"), job.tail());
        }
        Map<String, Long> byName = new TreeMap<>();
        Map<String, String> again = new TreeMap<>();
        try (Child other = Child.java(
                "notebooks",
                logs,
                jvm(root),
                cp,
                CatalogNotebooks.class.getName(),
                List.of(
                        metastore.toString(),
                        "xai_test",
                        root.resolve("notebooks-sql").toString(),
                        warehouse),
                env,
                root)) {
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
        SqlRunner.registerViews(spark, warehouse);
        Map<String, Long> byPath = new TreeMap<>();
        try (Stream<Path> s = Files.list(root.resolve("notebooks-sql"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                byPath.put(f.getFileName().toString(), SqlRunner.run(spark, f).count());
            }
        }
        assertTrue(byPath.size() >= 19, byPath.toString());
        assertEquals(byPath, byName, "every notebook by table name, as over the warehouse's paths");
        assertTrue(byName.get("leaderboard.sql") > 0, byName.toString());
        // registering again keeps every table in place (the views of tables not written yet are made again)
        assertEquals(io.xaiscale.jobs.delta.Tables.ALL.size() + 2, again.size(), again.toString());
        for (io.xaiscale.jobs.delta.Table t : io.xaiscale.jobs.delta.Tables.ALL) {
            boolean written = io.xaiscale.jobs.delta.DeltaIO.exists(spark, t.path(warehouse));
            assertEquals(written ? "kept" : "view", again.get(t.name()), t.name());
        }
    }
}
