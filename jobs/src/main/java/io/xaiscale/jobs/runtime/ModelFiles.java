package io.xaiscale.jobs.runtime;

import io.xaiscale.jobs.session.UserProperties;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * Makes a model directory given as a local path or a Hadoop URI ({@code s3a://}, {@code hdfs://})
 * available as a local directory, copying a remote one once per JVM and content.
 */
public final class ModelFiles {
    private static final Map<String, Path> LOCAL = new ConcurrentHashMap<>();

    private ModelFiles() {}

    /**
     * The Hadoop configuration the driver will have, built before Spark starts: {@code spark.hadoop.*}
     * settings from spark-submit or system properties included (S3 endpoint, credentials).
     */
    public static Configuration driverConf() {
        return SparkHadoopUtil.get().newConfiguration(UserProperties.sparkConf());
    }

    /**
     * The model location as executors must see it: a local path made absolute on the driver
     * (executors run in other working directories), a URI with a scheme unchanged.
     */
    public static String qualify(String uri) {
        return URI.create(uri.replace(" ", "%20")).getScheme() == null
                ? Path.of(uri).toAbsolutePath().normalize().toString()
                : uri;
    }

    /** The card of the model at {@code uri}, checked to be the model {@code expectedKey} the job was set up for. */
    public static ModelCard card(String uri, String expectedKey, Configuration conf) throws IOException {
        ModelCard card = ModelCard.read(localize(uri, conf));
        if (!card.key().equals(expectedKey)) {
            throw new IllegalArgumentException("Model key mismatch: " + expectedKey + " but card says " + card.key());
        }
        return card;
    }

    /**
     * The model directory at {@code uri} as a local directory: a local path as it is; a remote one
     * copied into a private temporary directory of this JVM (made with a random name, owner-only, then
     * filled: no other process or user reads or writes it), once per content: the key is the URI and its
     * listing (name, size, modification time of every file), so weights replaced in place are copied
     * again at their next use (one listing per call).
     */
    public static Path localize(String uri, Configuration conf) {
        URI u = URI.create(uri);
        if (u.getScheme() == null || "file".equals(u.getScheme())) {
            return u.getScheme() == null ? Path.of(uri) : Path.of(u);
        }
        try {
            org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(uri);
            FileSystem fs = src.getFileSystem(conf);
            List<FileStatus> files = Arrays.stream(fs.listStatus(src))
                    .filter(FileStatus::isFile)
                    .sorted(Comparator.comparing(f -> f.getPath().getName()))
                    .toList();
            StringBuilder listing = new StringBuilder(uri);
            files.forEach(f -> listing.append('\n')
                    .append(f.getPath().getName())
                    .append('|')
                    .append(f.getLen())
                    .append('|')
                    .append(f.getModificationTime()));
            return LOCAL.computeIfAbsent(listing.toString(), k -> copy(uri, fs, files));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot list model directory " + uri + ": " + e.getMessage(), e);
        }
    }

    private static Path copy(String uri, FileSystem fs, List<FileStatus> files) {
        try {
            Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "xaiscale-models"));
            Path dir = Files.createTempDirectory(base, Hashing.sha256Hex(uri).substring(0, 12) + "-");
            dir.toFile().deleteOnExit();
            for (FileStatus f : files) {
                Path to = dir.resolve(f.getPath().getName());
                fs.copyToLocalFile(false, f.getPath(), new org.apache.hadoop.fs.Path(to.toUri()), true);
                to.toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot copy model directory " + uri + " to local disk: " + e.getMessage(), e);
        }
    }
}
