package io.xaiscale.jobs.session;

import io.xaiscale.analysis.StudentT;
import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.metric.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;

/** Runs the SQL files of {@code notebooks-sql/} against the Delta tables of a warehouse. */
public final class SqlRunner {
    private SqlRunner() {}

    /**
     * Registers every table of the project ({@link Tables#ALL}) as a view of the warehouse's table, or
     * of an empty frame of its schema when the warehouse has none yet (so every notebook runs on any
     * warehouse), then the views notebooks build on: {@code metric_families}, {@code t_quantiles} and {@code
     * leaderboard}
     * (the first statement of {@code leaderboard.sql}); returns the tables found.
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
        metricFamilies(spark).createOrReplaceTempView("metric_families");
        tQuantiles(spark).createOrReplaceTempView("t_quantiles");
        spark.sql(statements(notebook("leaderboard.sql")).get(0));
        return found;
    }

    /**
     * Student's t quantile {@code t975} for {@code df} = 1 .. {@link StudentT#TABLE_DF}: the notebooks'
     * 95% intervals of means take {@code t975} at {@code n - 1} (1.96 beyond the table, 0.12% off).
     */
    public static Dataset<Row> tQuantiles(SparkSession spark) {
        return spark.createDataFrame(
                tQuantileRows(),
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("df", DataTypes.IntegerType, false),
                        DataTypes.createStructField("t975", DataTypes.DoubleType, false))));
    }

    public static List<Row> tQuantileRows() {
        List<Row> rows = new ArrayList<>();
        for (int df = 1; df <= StudentT.TABLE_DF; df++) {
            rows.add(RowFactory.create(df, StudentT.t975(df)));
        }
        return rows;
    }

    /**
     * Every output name a registered metric writes (with its default parameters), its metric and its
     * family ({@link Metrics#family}): what the notebooks join the {@code metrics} table with.
     */
    public static Dataset<Row> metricFamilies(SparkSession spark) {
        return spark.createDataFrame(
                metricFamilyRows(),
                DataTypes.createStructType(List.of(
                        DataTypes.createStructField("output", DataTypes.StringType, false),
                        DataTypes.createStructField("metric", DataTypes.StringType, false),
                        DataTypes.createStructField("family", DataTypes.StringType, false))));
    }

    /**
     * Registers {@code xai_revision(kind, name)} in {@code spark} (every session of the project): this
     * build's revision of a method spec ({@code kind} {@code method}; a wrapper's adds its base's) or of a
     * metric ({@code metric}, by the metric's name), null for one this build does not know. Rows of a
     * lower revision predate a fix and the next run recomputes them ({@code notebooks-sql/provenance.sql}).
     * A function rather than a view of every stored spec: it costs nothing until a query calls it.
     */
    public static void registerFunctions(SparkSession spark) {
        spark.udf()
                .register("xai_revision", (UDF2<String, String, Integer>) SqlRunner::revision, DataTypes.IntegerType);
    }

    /** {@code xai_revision}: the revision of {@code name} of {@code kind} in this build, or null. */
    static Integer revision(String kind, String name) {
        if (kind == null || name == null) {
            return null;
        }
        try {
            return switch (kind) {
                case "method" -> Explainers.fromString(name).revision();
                case "metric" -> Metrics.fromString(name).revision();
                default -> null;
            };
        } catch (IllegalArgumentException unknown) {
            return null; // written by another build, under a name or parameter this one does not have
        }
    }

    /** The rows of {@link #metricFamilies}: output, metric, family. */
    public static List<Row> metricFamilyRows() {
        List<Row> rows = new ArrayList<>();
        for (String name : Metrics.names()) {
            String family = Metrics.family(name);
            for (String output : Metrics.fromString(name).outputs()) {
                rows.add(RowFactory.create(output, name, family));
            }
        }
        return rows;
    }

    /** A notebook shipped in the job jar ({@code notebooks-sql/}). */
    public static String notebook(String file) {
        try (InputStream in = SqlRunner.class.getResourceAsStream("/notebooks-sql/" + file)) {
            if (in == null) {
                throw new IllegalStateException("notebooks-sql/" + file + " is not in the job jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        return run(spark, file, s -> {});
    }

    /** {@link #run(SparkSession, Path)}, each statement given to {@code check} first (which may refuse it). */
    public static Dataset<Row> run(SparkSession spark, Path file, Consumer<String> check) throws IOException {
        Dataset<Row> last = null;
        for (String s : statements(Files.readString(file))) {
            check.accept(s);
            last = spark.sql(s);
        }
        if (last == null) {
            throw new IllegalArgumentException("No SQL statement in " + file);
        }
        return last;
    }
}
