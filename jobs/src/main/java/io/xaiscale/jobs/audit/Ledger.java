package io.xaiscale.jobs.audit;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.DriverReads;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.Endpoints;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
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
    /**
     * Whether the run's next write appends its row: its first (the run id is new). The next is a
     * MERGE on the run id, which replaces the {@code running} row.
     */
    private boolean append;
    /** Whether the ledger's table exists (else the first write creates it, comments and change feed on). */
    private boolean exists;

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
     * Opens run {@code runId} of {@code config}: the commits' metadata, and the row {@link #finish}
     * writes (after {@link #running}, the row written now replaced). The config is kept with
     * credentials in URIs redacted. Rows of the same audit still {@code running} in {@code history} (a
     * driver killed before it could close its row) are closed as {@code failed}, naming this run:
     * audits of one name run one at a time.
     */
    public static Ledger open(
            SparkSession spark,
            String warehouse,
            String runId,
            AuditConfig config,
            String configText,
            History history) {
        if (!history.running().isEmpty()) {
            closeAbandoned(spark, warehouse, config.name(), runId);
        }
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
        l.append = true;
        l.exists = history.ledgerExists();
        return l;
    }

    /**
     * Writes the run's row as {@code running} now, for a run that computes: a driver killed before
     * {@link #finish} leaves it for the next run to close.
     */
    public Ledger running() {
        write(RUNNING);
        append = false; // finish replaces the row
        return this;
    }

    /** Closes the {@code running} rows of {@code audit} left by drivers that ended without closing them. */
    static void closeAbandoned(SparkSession spark, String warehouse, String audit, String runId) {
        DeltaTable t = DeltaTable.forPath(spark, Tables.AUDIT_RUNS.path(warehouse));
        Column open = col("audit").equalTo(audit).and(col("status").equalTo(RUNNING));
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

    /**
     * Writes the run's row: appended (one row, one Spark job, no join) or merged on the run id, as
     * {@link #append} says.
     */
    private void write(String status) {
        Row r = row.set("status", status).build();
        Dataset<Row> rows = spark.createDataFrame(List.of(r), Tables.AUDIT_RUNS.schema());
        String path = Tables.AUDIT_RUNS.path(warehouse);
        if (append) {
            if (!exists) {
                DeltaIO.create(spark, warehouse, Tables.AUDIT_RUNS);
                exists = true;
            }
            rows.write().format("delta").mode("append").save(path);
        } else {
            DeltaIO.insertOrUpdate(
                    spark, rows, path, Tables.AUDIT_RUNS.key(), List.of(new DeltaIO.Update("true", List.of())));
        }
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
     * The runs of one audit as the ledger's Delta log holds them, read on the driver alone
     * ({@link DriverReads}: no Spark job, so an audit knows whether anything changed before it waits for
     * executors or compiles a query).
     */
    public record History(boolean ledgerExists, List<Row> runs) {
        public static final History NONE = new History(false, List.of());

        public static History read(Configuration conf, String warehouse, String audit) throws IOException {
            String path = Tables.AUDIT_RUNS.path(warehouse);
            org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(path, "_delta_log");
            return new History(
                    log.getFileSystem(conf).exists(log),
                    DriverReads.rows(conf, path, Tables.AUDIT_RUNS.schema()).stream()
                            .filter(r -> audit.equals(r.getAs("audit")))
                            .toList());
        }

        /**
         * The last run that ended {@link #SUCCEEDED}: the baseline that {@code metric_change} gates,
         * regressions and error spikes compare with. A gated run never becomes the baseline, so a
         * regression stays a regression night after night until a run passes.
         */
        public Previous baseline() {
            return last(List.of(SUCCEEDED));
        }

        /**
         * The last run that ended, succeeded or gated: the one whose results a run with the same inputs
         * takes (and its gate outcomes with them).
         */
        public Previous lastFinished() {
            return last(List.of(SUCCEEDED, GATED));
        }

        /** The ids of the runs still {@code running}: none, unless a driver was killed or lost. */
        public List<String> running() {
            return runs.stream()
                    .filter(r -> RUNNING.equals(r.getAs("status")))
                    .map(r -> r.<String>getAs("run_id"))
                    .toList();
        }

        private Previous last(List<String> statuses) {
            return runs.stream()
                    .filter(r -> statuses.contains(r.<String>getAs("status")))
                    .max(Comparator.comparing(r -> r.<Timestamp>getAs("started_at")))
                    .map(History::previous)
                    .orElse(Previous.NONE);
        }

        private static Previous previous(Row r) {
            List<Row> means = r.getAs("means") == null ? List.of() : r.getList(r.fieldIndex("means"));
            List<Row> gates = r.getAs("gates") == null ? null : List.copyOf(r.getList(r.fieldIndex("gates")));
            return new Previous(
                    r.getAs("run_id"),
                    r.getAs("status"),
                    means.stream().map(Gates.Mean::of).toList(),
                    r.getAs("checked_rows"),
                    r.getAs("error_rows"),
                    r.getAs("images_selected"),
                    r.getAs("selection"),
                    r.getAs("inputs_sha256"),
                    gates);
        }
    }
}
