package io.xaiscale.jobs.ingest;

import io.xaiscale.jobs.delta.Tables;
import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/**
 * An input that becomes no image row, with the reason: a listed file that is hidden, not an image or
 * the same bytes as another file; a manifest row that names no file, repeats another, or cannot be
 * read. Written to {@code ingest_rejects}, keyed by input and reason, so a rerun adds nothing.
 *
 * @param input the file's URI, or {@code manifest-uri:line} for a manifest row
 * @param kind {@code file} or {@code manifest_row}
 * @param path the path relative to the source, when known
 * @param line the manifest line, for manifest rows
 */
record Reject(String input, String kind, String path, Integer line, String reason, String detail)
        implements Serializable {
    static final String FILE = "file";
    static final String MANIFEST_ROW = "manifest_row";

    static Reject file(String uri, String path, String reason, String detail) {
        return new Reject(uri, FILE, path, null, reason, detail);
    }

    static Reject manifestRow(String manifest, int line, String path, String reason, String detail) {
        return new Reject(manifest + ":" + line, MANIFEST_ROW, path, line, reason, detail);
    }

    Row toRow(String source, Timestamp now) {
        return Tables.INGEST_REJECTS
                .row()
                .set("input", input)
                .set("kind", kind)
                .set("path", path)
                .set("line", line)
                .set("reason", reason)
                .set("detail", detail)
                .set("source", source)
                .set("rejected_at", now)
                .build();
    }
}
