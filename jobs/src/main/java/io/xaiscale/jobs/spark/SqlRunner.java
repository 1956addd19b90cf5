package io.xaiscale.jobs.spark;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Runs the SQL files of {@code notebooks-sql/} against the Delta tables of a warehouse. */
public final class SqlRunner {
    private SqlRunner() {}

    /**
     * Registers every table of the project ({@link Tables#ALL}) as a view of the warehouse's table, or
     * of an empty frame of its schema when the warehouse has none yet (so every notebook runs on any
     * warehouse); returns the tables found.
     */
    public static List<String> registerViews(SparkSession spark, String warehouse) {
        List<String> found = new ArrayList<>();
        for (Table t : Tables.ALL) {
            String path = t.path(warehouse);
            if (DeltaIO.exists(spark, path)) {
                found.add(t.name());
            }
            DeltaIO.readOrEmpty(spark, warehouse, t).createOrReplaceTempView(t.name());
        }
        return found;
    }

    /** Statements of a SQL file: split at semicolons that end a line; {@code --} comments dropped. */
    public static List<String> statements(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String l = line.strip();
            if (l.startsWith("--")) {
                continue;
            }
            cur.append(line).append('\n');
            if (l.endsWith(";")) {
                String s = cur.toString().strip();
                out.add(s.substring(0, s.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    /** Runs every statement of {@code file}; returns the result of the last one. */
    public static Dataset<Row> run(SparkSession spark, Path file) throws IOException {
        Dataset<Row> last = null;
        for (String s : statements(Files.readString(file))) {
            last = spark.sql(s);
        }
        if (last == null) {
            throw new IllegalArgumentException("No SQL statement in " + file);
        }
        return last;
    }
}
