package io.xaiscale.jobs.report;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where a report goes: a local folder, written in place, or a Hadoop URI ({@code s3a://bucket/reports/x},
 * {@code hdfs://...}) that the driver builds in a local temporary folder and then copies there, every
 * file replaced (a cluster-mode driver runs on a worker whose disk nobody reads).
 */
public final class Destination {
    private final String uri;
    private final Path local;

    private Destination(String uri, Path local) {
        this.uri = uri;
        this.local = local;
    }

    /** {@code out} as given by the user: a local path (relative to the working directory) or a URI. */
    public static Destination of(String out) throws IOException {
        if (remote(out)) {
            return new Destination(out, Files.createTempDirectory("xai-report-"));
        }
        return new Destination(null, localPath(out));
    }

    /** A local {@code out} (a path, or a {@code file:} URI) as a path. */
    private static Path localPath(String out) {
        return Path.of(out.startsWith("file:") ? URI.create(out).getPath() : out);
    }

    /** Where the {@code index.html} of a report written to {@code out} earlier is; null when there is none. */
    public static String existing(String out, Configuration conf) throws IOException {
        String index = out.replaceAll("/+$", "") + "/index.html";
        if (remote(out)) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(index);
            return p.getFileSystem(conf).exists(p) ? index : null;
        }
        Path local = localPath(out).resolve("index.html");
        return Files.exists(local) ? local.toAbsolutePath().toString() : null;
    }

    /** Whether {@code out} names a filesystem other than the local one (a scheme other than file:). */
    static boolean remote(String out) {
        return out.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !out.startsWith("file:");
    }

    /** The local folder the report is written to. */
    public Path folder() {
        return local;
    }

    /** Copies the local folder to the URI (a remote destination); returns where {@code index.html} is now. */
    public String publish(Configuration conf) throws IOException {
        if (uri == null) {
            return local.resolve("index.html").toAbsolutePath().toString();
        }
        org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = to.getFileSystem(conf);
        fs.mkdirs(to);
        try (Stream<Path> files = Files.list(local)) {
            for (Path f : files.toList()) {
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(f.toUri()), to);
            }
        }
        try (Stream<Path> all = Files.walk(local)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        return uri.replaceAll("/+$", "") + "/index.html";
    }
}
