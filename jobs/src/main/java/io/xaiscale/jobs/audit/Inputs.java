package io.xaiscale.jobs.audit;

import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.FileListing;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Everything an audit's results depend on, as one hash: the config, each model's card and the hash of
 * the weights file it loaded (whether or not the card pins one),
 * the source files (path, size, modification time of every file under the source, and the
 * manifest's) and the Delta version of every table the audit reads. A run whose inputs hash equals
 * the previous run's, recorded when that run ended, would compute nothing new and find the same: it
 * takes that run's results instead of recomputing them (a nightly run with nothing new then costs a
 * listing, a look at each table's log and the ledger's writes).
 *
 * <p>The versions are recorded at a run's end only when every commit the run saw since its start is
 * its own (its {@code userMetadata}); a commit of another writer in between leaves no hash, and the
 * next run computes in full.
 */
public final class Inputs {
    /** The tables whose content an audit's results depend on (not the ledger and findings it writes). */
    static final List<Table> READ =
            List.of(Tables.IMAGES, Tables.EXPLANATIONS, Tables.METRICS, Tables.METHOD_AGREEMENT, Tables.MODEL_DRIFT);

    private Inputs() {}

    /** The latest Delta version of each table read (-1: no table yet), from the tables' logs alone. */
    public static Map<String, Long> versions(Configuration conf, String warehouse) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Table t : READ) {
            Path log = new Path(t.path(warehouse), "_delta_log");
            FileSystem fs = log.getFileSystem(conf);
            long v = -1;
            if (fs.exists(log)) {
                for (FileStatus f : fs.listStatus(log)) {
                    String n = f.getPath().getName();
                    if (n.matches("\\d{20}\\.json")) {
                        v = Math.max(v, Long.parseLong(n.substring(0, 20)));
                    }
                }
            }
            out.put(t.name(), v);
        }
        return out;
    }

    /** A digest of every file under {@code source} and of {@code manifest} (path, size, modification time). */
    public static String listing(Configuration conf, String source, String manifest) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String root : new String[] {source, manifest}) {
            if (root == null || root.isBlank()) {
                continue;
            }
            Path p = new Path(root);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                lines.add("missing " + root);
                continue;
            }
            RemoteIterator<FileStatus> it = FileListing.files(fs, p);
            while (it.hasNext()) {
                FileStatus f = it.next();
                lines.add(f.getPath() + "|" + f.getLen() + "|" + f.getModificationTime());
            }
        }
        Collections.sort(lines);
        return Hashing.sha256Hex(String.join("\n", lines));
    }

    /** A model of the run: its card and the SHA-256 of the weights file it loaded. */
    public record Model(ModelCard card, String weightsSha256) {}

    /** The inputs hash of a run of {@code config} with these models, source listing and table versions. */
    public static String hash(AuditConfig config, List<Model> models, String listing, Map<String, Long> versions) {
        StringBuilder sb = new StringBuilder(config.sha256()).append('\n').append(listing);
        for (Model m : models) {
            sb.append('\n')
                    .append(m.card().key())
                    .append(' ')
                    .append(m.card().sha256())
                    .append(' ')
                    .append(m.weightsSha256());
        }
        versions.forEach((t, v) -> sb.append('\n').append(t).append('=').append(v));
        return Hashing.sha256Hex(sb.toString());
    }

    /**
     * Whether every commit of the read tables after {@code from} up to {@code to} was made by run
     * {@code runId} (its commit's {@code userMetadata} is {@code xai-run <runId>}).
     */
    public static boolean onlyOwnCommits(
            Configuration conf, String warehouse, Map<String, Long> from, Map<String, Long> to, String runId)
            throws IOException {
        String mine = "\"userMetadata\":\"xai-run " + runId + "\"";
        for (Table t : READ) {
            for (long v = from.get(t.name()) + 1; v <= to.get(t.name()); v++) {
                Path commit = new Path(new Path(t.path(warehouse), "_delta_log"), String.format("%020d.json", v));
                try (InputStream in = commit.getFileSystem(conf).open(commit)) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    if (text.lines().noneMatch(l -> l.startsWith("{\"commitInfo\"") && l.contains(mine))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
