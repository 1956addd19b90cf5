package io.xaiscale.jobs.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One page of the report as a builder: {@link #build} reads the warehouse through notebook
 * statements ({@link #run}), writes their rows as CSVs ({@link #csv}) and draws galleries
 * ({@link #images}), all shared with the other pages of the same report through its {@link ReportRun}.
 */
abstract class ReportPage {
    final ReportRun report;
    final SparkSession spark;
    final Report.Settings s;
    /** The warehouse's tables (those written so far). */
    final List<String> tables;

    ReportPage(ReportRun report) {
        this.report = report;
        this.spark = report.spark();
        this.s = report.settings();
        this.tables = report.tables();
    }

    /** The page, its sections filled. */
    abstract Page build() throws IOException;

    /** Runs a notebook statement (kept for the report's {@code sql/} folder). */
    Query.Result run(String file, int statement) {
        return report.run(file, statement);
    }

    /** This page's CSVs so far: they are numbered per page, so the pages can be built at once. */
    private int csvs;

    /** Writes rows as a CSV in {@code data/} ({@code <page>-<nn>-<name>.csv}); returns its link. */
    String csv(String name, Query.Result r) throws IOException {
        String page = getClass().getSimpleName().replace("Page", "").toLowerCase(Locale.ROOT);
        return report.csv(page + "-" + String.format(Locale.ROOT, "%02d", ++csvs) + "-" + name, r);
    }

    /** Overlay grids of {@code ids} for {@code model} (see {@link ReportRun#images}). */
    List<Map<String, Object>> images(String model, List<String> ids) throws IOException {
        return report.images(model, ids);
    }

    /** The direction of the rows' metric (null: not said, a warehouse written before the column). */
    static Boolean higherIsBetter(Query.Result result, List<Row> rows) {
        String v = rows.isEmpty() || !result.columns().contains("higher_is_better")
                ? null
                : result.string(rows.get(0), "higher_is_better");
        return v == null ? null : Boolean.valueOf(v);
    }

    /** The values of {@code columns} of every row, as text ("" for null). */
    static List<List<String>> cells(Query.Result r, List<String> columns) {
        return cells(r, r.rows(), columns);
    }

    /** The values of {@code columns} of {@code rows} (rows of {@code r}), as text ("" for null). */
    static List<List<String>> cells(Query.Result r, List<Row> rows, List<String> columns) {
        List<List<String>> out = new ArrayList<>();
        for (Row row : rows) {
            List<String> c = new ArrayList<>();
            for (String col : columns) {
                String v = r.string(row, col);
                c.add(v == null ? "" : v);
            }
            out.add(c);
        }
        return out;
    }

    /** Rows grouped by the values of {@code columns}, joined by spaces, in order. */
    static Map<String, List<Row>> group(Query.Result r, String... columns) {
        return group(r, row -> {
            List<String> key = new ArrayList<>();
            for (String c : columns) {
                key.add(String.valueOf(r.string(row, c)));
            }
            return String.join(" ", key);
        });
    }

    /** Rows grouped by {@code key}, in the keys' order. */
    static Map<String, List<Row>> group(Query.Result r, Function<Row, String> key) {
        Map<String, List<Row>> out = new TreeMap<>();
        for (Row row : r.rows()) {
            out.computeIfAbsent(key.apply(row), k -> new ArrayList<>()).add(row);
        }
        return out;
    }

    /** A model key ({@code id@version}) of a row with {@code model_id} and {@code model_version}. */
    static String model(Query.Result r, Row row) {
        return r.string(row, "model_id") + "@" + r.string(row, "model_version");
    }
}
