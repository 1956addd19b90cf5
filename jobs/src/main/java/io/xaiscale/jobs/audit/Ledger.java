package io.xaiscale.jobs.audit;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.Endpoints;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.collection.JavaConverters;

/**
 * The run ledger ({@code audit_runs}): a run's row is written when it starts and replaced when it
 * ends. While a run is open, every Delta commit of the session carries {@code xai-run <run id>} as
 * its {@code userMetadata}, so {@code DESCRIBE HISTORY} of any table names the run of each version.
 */
public final class Ledger {
    /** The Delta session setting whose value every commit records as its {@code userMetadata}. */
    public static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String GATED = "gated";
    public static final String FAILED = "failed";

    private final SparkSession spark;
    private final String warehouse;
    private final Table.RowBuilder row;

    private Ledger(SparkSession spark, String warehouse, Table.RowBuilder row) {
        this.spark = spark;
        this.warehouse = warehouse;
        this.row = row;
    }

    /** A new run id: the UTC start time and a random suffix, sortable by time. */
    public static String newRunId() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
                        .format(LocalDateTime.now(ZoneOffset.UTC))
                + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    /**
     * Opens run {@code runId} of {@code config}: its ledger row ({@code running}) and the commits'
     * metadata. The config is kept with credentials in URIs redacted. Rows of the same audit still
     * {@code running} (a driver killed before it could close its row) are closed as {@code failed},
     * naming this run: audits of one name run one at a time.
     */
    public static Ledger start(
            SparkSession spark, String warehouse, String runId, AuditConfig config, String configText) {
        closeAbandoned(spark, warehouse, config.name(), runId);
        spark.conf().set(USER_METADATA, "xai-run " + runId);
        Table.RowBuilder row = Tables.AUDIT_RUNS
                .row()
                .set("run_id", runId)
                .set("audit", config.name())
                .set("config", Endpoints.redact(configText))
                .set("config_sha256", config.sha256())
                .set("started_at", new Timestamp(System.currentTimeMillis()))
                .set("spark_app_id", spark.sparkContext().applicationId())
                .absent("ended_at", "selection", "images_version", "images_selected", "bytes_read", "models", "stages")
                .absent("checked_rows", "error_rows", "inputs_sha256", "reused_run")
                .absent("means")
                .absent("gates", "error");
        Ledger l = new Ledger(spark, warehouse, row);
        l.write(RUNNING);
        return l;
    }

    /** Closes the {@code running} rows of {@code audit} left by drivers that ended without closing them. */
    static void closeAbandoned(SparkSession spark, String warehouse, String audit, String runId) {
        String path = Tables.AUDIT_RUNS.path(warehouse);
        if (!DeltaIO.exists(spark, path)) {
            return;
        }
        DeltaTable t = DeltaTable.forPath(spark, path);
        Column open = col("audit").equalTo(audit).and(col("status").equalTo(RUNNING));
        if (t.toDF().where(open).isEmpty()) {
            return;
        }
        t.update(
                open,
                Map.of(
                        "status",
                        org.apache.spark.sql.functions.lit(FAILED),
                        "error",
                        org.apache.spark.sql.functions.lit(
                                "the run ended without closing its ledger row (its driver was"
                                        + " killed or lost); closed by run " + runId)));
    }

    public Ledger set(String column, Object value) {
        row.set(column, value);
        return this;
    }

    /** Sets an array column from rows of its element struct. */
    public Ledger setRows(String column, List<Row> rows) {
        row.set(column, JavaConverters.asScalaBuffer(new ArrayList<>(rows)).toSeq());
        return this;
    }

    /** Closes the run with {@code status} (and {@code error}, for a failed run). */
    public void finish(String status, String error) {
        row.set("ended_at", new Timestamp(System.currentTimeMillis())).set("error", error);
        try {
            write(status);
        } finally {
            spark.conf().unset(USER_METADATA);
        }
    }

    private void write(String status) {
        Row r = row.set("status", status).build();
        DeltaIO.insertOrUpdate(
                spark,
                spark.createDataFrame(List.of(r), Tables.AUDIT_RUNS.schema()),
                Tables.AUDIT_RUNS.path(warehouse),
                Tables.AUDIT_RUNS.key(),
                List.of(new DeltaIO.Update("true", List.of())));
    }

    /**
     * What a finished run of an audit had: its status, means, error counts, selection, inputs hash and
     * gate outcomes ({@code gates} null for a ledger row written before they were kept).
     */
    public record Previous(
            String runId,
            String status,
            List<Gates.Mean> means,
            Long checkedRows,
            Long errorRows,
            Long imagesSelected,
            String selection,
            String inputsSha256,
            List<Row> gates) {
        public static final Previous NONE = new Previous(null, null, List.of(), null, null, null, null, null, null);
    }

    /**
     * The last run of {@code audit} that ended {@link #SUCCEEDED}: the baseline that
     * {@code metric_change} gates, regressions and error spikes compare with. A gated run never becomes
     * the baseline, so a regression stays a regression night after night until a run passes.
     */
    public static Previous baseline(SparkSession spark, String warehouse, String audit) {
        return last(spark, warehouse, audit, List.of(SUCCEEDED));
    }

    /**
     * The last run of {@code audit} that ended, succeeded or gated: the one whose results a run with
     * the same inputs takes (and its gate outcomes with them).
     */
    public static Previous lastFinished(SparkSession spark, String warehouse, String audit) {
        return last(spark, warehouse, audit, List.of(SUCCEEDED, GATED));
    }

    private static Previous last(SparkSession spark, String warehouse, String audit, List<String> statuses) {
        Dataset<Row> runs = DeltaIO.readOrEmpty(spark, warehouse, Tables.AUDIT_RUNS);
        List<Row> last = runs.where(
                        col("audit").equalTo(audit).and(col("status").isin(statuses.toArray())))
                .orderBy(col("started_at").desc())
                .limit(1)
                .collectAsList();
        if (last.isEmpty()) {
            return Previous.NONE;
        }
        Row r = last.get(0);
        List<String> columns = List.of(runs.columns());
        Function<String, Object> value =
                c -> columns.contains(c) && !r.isNullAt(r.fieldIndex(c)) ? r.get(r.fieldIndex(c)) : null;
        return new Previous(
                r.getString(r.fieldIndex("run_id")),
                r.getString(r.fieldIndex("status")),
                r.isNullAt(r.fieldIndex("means"))
                        ? List.of()
                        : r.<Row>getList(r.fieldIndex("means")).stream()
                                .map(Gates.Mean::of)
                                .toList(),
                (Long) value.apply("checked_rows"),
                (Long) value.apply("error_rows"),
                (Long) value.apply("images_selected"),
                (String) value.apply("selection"),
                (String) value.apply("inputs_sha256"),
                r.isNullAt(r.fieldIndex("gates")) ? null : List.copyOf(r.<Row>getList(r.fieldIndex("gates"))));
    }
}
