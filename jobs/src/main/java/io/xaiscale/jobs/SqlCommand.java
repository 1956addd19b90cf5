package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.cli.Output;
import io.xaiscale.jobs.session.ReadOnlySql;
import io.xaiscale.jobs.session.SqlRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** {@code xai sql}: runs SQL files of {@code notebooks-sql/} (or any file) against the warehouse. */
public final class SqlCommand implements Command {
    @Override
    public String name() {
        return "sql";
    }

    @Override
    public String summary() {
        return "run notebooks-sql/*.sql (or --file F, or --query Q) against the Delta tables";
    }

    @Override
    public Options options() {
        return Defaults.spark(new Options(name()))
                .path("file", "", "one SQL file to run (default: every file of --dir)")
                .path("dir", "notebooks-sql", "folder of SQL files")
                .add("query", "", "a SQL query to run instead of files")
                .add("rows", "40", "rows to print per result")
                .flag(
                        "allow-writes",
                        "run any statement (INSERT, UPDATE, DELETE, MERGE, VACUUM, ADD JAR, SET, files by path, ...):"
                                + " without it only statements that read run (" + ReadOnlySql.ALLOWED + ")");
    }

    static List<Path> files(Options o) throws Exception {
        if (!o.get("file").isBlank()) {
            return List.of(Path.of(o.get("file")));
        }
        try (Stream<Path> s = Files.list(Path.of(o.get("dir")))) {
            return s.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
        }
    }

    @Override
    public void run(Options o) throws Exception {
        int rows = o.getInt("rows", 1, 1_000_000);
        withSession(o, spark -> {
            List<String> views = SqlRunner.registerViews(spark, o.get("warehouse"));
            System.out.println("[sql] tables of " + o.get("warehouse") + ": " + String.join(", ", views));
            boolean writes = o.getFlag("allow-writes");
            if (!writes) {
                ReadOnlySql.settings(spark);
            }
            Consumer<String> check = writes ? s -> {} : s -> ReadOnlySql.check(spark, s);
            if (!o.get("query").isBlank()) {
                check.accept(o.get("query"));
                Output.show(oneLineErrors("--query", () -> spark.sql(o.get("query"))), rows);
                return;
            }
            for (Path f : files(o)) {
                System.out.println("[sql] " + f);
                Output.show(oneLineErrors(f.toString(), () -> SqlRunner.run(spark, f, check)), rows);
            }
        });
    }

    /** A statement's result; Spark's error about it (an unknown column, a parse error) as one line. */
    static Dataset<Row> oneLineErrors(String what, Callable<Dataset<Row>> statement) throws Exception {
        try {
            return statement.call();
        } catch (Exception e) {
            if (e instanceof AnalysisException) {
                String m = String.valueOf(e.getMessage()).strip();
                throw new IllegalArgumentException(
                        "SQL of " + what + ": " + m.lines().findFirst().orElse(m), e);
            }
            throw e;
        }
    }
}
