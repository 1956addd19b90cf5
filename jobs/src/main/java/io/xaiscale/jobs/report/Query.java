package io.xaiscale.jobs.report;

import io.xaiscale.jobs.session.SqlRunner;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One statement of a SQL notebook ({@code notebooks-sql/}, shipped in the job jar): what every
 * chart and table of the report is computed by, so the report and the notebooks cannot disagree,
 * and what each chart links to.
 */
record Query(String file, int statement) {
    /** The rows a chart may hold at most; the CSV says when there were more. */
    static final int MAX_ROWS = 100_000;

    static String text(String file) {
        return SqlRunner.notebook(file);
    }

    String sql() {
        return SqlRunner.statements(text(file)).get(statement);
    }

    /** The statement's result (at most {@link #MAX_ROWS} rows), with its column names. */
    Result run(SparkSession spark) {
        var df = spark.sql(sql());
        List<Row> rows = df.limit(MAX_ROWS + 1).collectAsList();
        boolean cut = rows.size() > MAX_ROWS;
        // shared by the pages that ask for it (ReportRun): read-only
        return new Result(this, List.of(df.columns()), List.copyOf(cut ? rows.subList(0, MAX_ROWS) : rows), cut);
    }

    /** A query's rows. */
    record Result(Query query, List<String> columns, List<Row> rows, boolean cut) {
        int index(String column) {
            int i = columns.indexOf(column);
            if (i < 0) {
                throw new IllegalStateException(query.file() + " has no column " + column + " (has " + columns + ")");
            }
            return i;
        }

        String string(Row r, String column) {
            Object v = r.get(index(column));
            return v == null ? null : v.toString();
        }

        Double number(Row r, String column) {
            Object v = r.get(index(column));
            return v == null ? null : ((Number) v).doubleValue();
        }

        /** The rows as CSV (RFC 4180 quoting). */
        String csv() {
            StringBuilder sb = new StringBuilder(
                            String.join(",", columns.stream().map(Result::quote).toList()))
                    .append('\n');
            for (Row r : rows) {
                List<String> cells = new ArrayList<>();
                for (int i = 0; i < columns.size(); i++) {
                    cells.add(r.isNullAt(i) ? "" : quote(neutral(r.get(i))));
                }
                sb.append(String.join(",", cells)).append('\n');
            }
            return sb.toString();
        }

        /**
         * A value as a CSV cell a spreadsheet shows as text: a string that a spreadsheet would take as a
         * formula ({@code = + - @}, tab, carriage return first) gets a leading apostrophe (OWASP's
         * advice); numbers stay numbers.
         */
        static String neutral(Object v) {
            String s = String.valueOf(v);
            return v instanceof String && !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
        }

        private static String quote(String s) {
            return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
        }
    }
}
