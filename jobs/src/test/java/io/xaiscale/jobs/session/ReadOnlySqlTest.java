package io.xaiscale.jobs.session;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.sql.parser.DeltaSqlParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.execution.SparkSqlParser;
import org.junit.jupiter.api.Test;

/**
 * {@code xai sql} without {@code --allow-writes}: every statement of the shipped notebooks and the
 * reading statements run; writes, jars, functions, settings and Java calls are refused, each naming
 * what it is (the session's parser: Spark's with Delta's).
 */
class ReadOnlySqlTest {
    static final ParserInterface PARSER = new DeltaSqlParser(new SparkSqlParser());

    static String refusal(String sql) {
        return assertThrows(IllegalArgumentException.class, () -> ReadOnlySql.check(PARSER, sql), sql)
                .getMessage();
    }

    @Test
    void readingStatementsAndEveryNotebookRun() throws Exception {
        for (String sql : List.of(
                "SELECT 1",
                "WITH x AS (SELECT 1 AS a) SELECT * FROM x",
                "VALUES (1)",
                "TABLE images",
                "SHOW TABLES",
                "SHOW COLUMNS IN images",
                "DESCRIBE images",
                "DESCRIBE HISTORY delta.`/tmp/wh/images`",
                "EXPLAIN SELECT * FROM metrics",
                "USE xai",
                "CREATE OR REPLACE TEMPORARY VIEW v AS SELECT * FROM metrics WHERE value > (SELECT 0)")) {
            assertDoesNotThrow(() -> ReadOnlySql.check(PARSER, sql), sql);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("notebooks-sql"))) {
            dir = dir.getParent();
        }
        try (Stream<Path> files = Files.list(dir.resolve("notebooks-sql"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                for (String s : SqlRunner.statements(Files.readString(f))) {
                    assertDoesNotThrow(() -> ReadOnlySql.check(PARSER, s), f + ": " + s);
                }
            }
        }
    }

    @Test
    void writesJarsFunctionsSettingsAndJavaCallsAreRefusedNamingWhatTheyAre() {
        assertEquals(
                "xai sql runs statements that read; a UpdateTable statement is refused (allowed: "
                        + ReadOnlySql.ALLOWED
                        + "). To run it anyway: --allow-writes (SQL is code, run with the rights of the Spark"
                        + " application): UPDATE metrics SET value = value * 0.5 WHERE metric = 'iou'",
                refusal("UPDATE metrics SET value = value * 0.5 WHERE metric = 'iou'"));
        for (String[] c : new String[][] {
            {"DELETE FROM metrics", "DeleteFromTable"},
            {"MERGE INTO a USING b ON a.x = b.x WHEN MATCHED THEN DELETE", "MergeIntoTable"},
            {"INSERT INTO images SELECT * FROM images", "InsertIntoStatement"},
            {"INSERT OVERWRITE DIRECTORY '/tmp/x' SELECT 1", "InsertIntoDir"},
            {"VACUUM delta.`/tmp/wh/images` RETAIN 0 HOURS", "VacuumTableCommand"},
            {"OPTIMIZE delta.`/tmp/wh/images`", "Optimize"},
            {"ADD JAR /tmp/evil.jar", "AddJarsCommand"},
            {"CREATE TEMPORARY FUNCTION f AS 'x.Y'", "CreateFunctionCommand"},
            {"SET spark.sql.runSQLOnFiles=true", "SetCommand"},
            {"DROP TABLE images", "DropTable"},
            {"CREATE TABLE t AS SELECT 1", "CreateTableAsSelect"},
            {"CREATE VIEW kept AS SELECT 1", "CreateView"},
            {"CREATE TEMPORARY VIEW f USING text OPTIONS (path '/etc/hostname')", "CreateTempViewUsing"},
            {"EXPLAIN DELETE FROM metrics", "DeleteFromTable"},
            {"CREATE TEMPORARY VIEW v AS SELECT java_method('java.lang.System', 'getenv', 'HOME')", "java_method"},
            {"SELECT * FROM images WHERE image_id IN (SELECT reflect('java.lang.System', 'getenv', 'X'))", "reflect"},
        }) {
            String m = refusal(c[0]);
            assertTrue(m.contains(c[1]), c[0] + ": " + m);
        }
    }
}
