package io.xaiscale.jobs.ingest;

import io.xaiscale.jobs.session.Endpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where every input of a file ingest went: each listed file and each manifest row has exactly one
 * outcome, and the outcomes add up to the inputs (checked, a mismatch is a bug).
 *
 * @param inputs what the inputs are, as the report's first line says it: {@code file(s) listed}, or a table's or
 *     shards' {@code row(s) read}
 * @param files listed files (or a table's rows) by outcome: {@code image}, {@code error_row}, {@code duplicate_content},
 *     {@code duplicate_key} (a table's row whose key an earlier row has),
 *     {@code not_an_image}, {@code hidden}, {@code manifest} (the manifest itself, under the source),
 *     {@code unchanged} (ingested before with the same path, size, time and manifest values: not read)
 * @param manifestRows manifest rows by outcome: {@code matched}, {@code conflicting_row},
 *     {@code duplicate_row}, {@code no_file}, {@code outside_source}, {@code unreadable_row}, {@code no_path}
 * @param written images rows inserted (or, with {@code --retry-errors}, replacing an error row)
 * @param rejectsWritten rows new in {@code ingest_rejects}
 */
public record IngestReport(
        String source,
        String inputs,
        long listed,
        Map<String, Long> files,
        String manifest,
        long manifestRowsRead,
        Map<String, Long> manifestRows,
        long written,
        long rejectsWritten) {

    public IngestReport {
        files = new TreeMap<>(files);
        manifestRows = new TreeMap<>(manifestRows);
        long f = files.values().stream().mapToLong(Long::longValue).sum();
        long m = manifestRows.values().stream().mapToLong(Long::longValue).sum();
        if (f != listed || m != manifestRowsRead) {
            throw new IllegalStateException("Ingest lost track of its inputs: " + listed + " files listed but outcomes "
                    + files + "; " + manifestRowsRead + " manifest rows but outcomes " + manifestRows);
        }
    }

    public long files(String outcome) {
        return files.getOrDefault(outcome, 0L);
    }

    public long manifestRows(String outcome) {
        return manifestRows.getOrDefault(outcome, 0L);
    }

    /** The lines ingest prints. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format(
                "[ingest] %s: %d %s: %s; %d images row(s) written", source, listed, inputs, describe(files), written));
        if (manifest != null) {
            out.add(String.format(
                    "[ingest] manifest %s: %d row(s): %s", manifest, manifestRowsRead, describe(manifestRows)));
        }
        long rejected = files.entrySet().stream()
                        .filter(e -> !List.of("image", "error_row", "manifest", "unchanged")
                                .contains(e.getKey()))
                        .mapToLong(Map.Entry::getValue)
                        .sum()
                + manifestRows.entrySet().stream()
                        .filter(e -> !List.of("matched", "conflicting_row").contains(e.getKey()))
                        .mapToLong(Map.Entry::getValue)
                        .sum();
        if (rejected > 0) {
            out.add(String.format(
                    "[ingest] %d input(s) made no image row (%d new in ingest_rejects): see notebooks-sql/errors.sql",
                    rejected, rejectsWritten));
        }
        return out.stream().map(Endpoints::redact).toList();
    }

    private static String describe(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> {
            if (v > 0) {
                parts.add(v + " " + k);
            }
        });
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }
}
