package io.xaiscale.jobs.spark;

import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * Makes a model directory given as a local path or a Hadoop URI ({@code s3a://}, {@code hdfs://})
 * available as a local directory, copying a remote one once per JVM.
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

    public static Path localize(String uri, Configuration conf) {
        URI u = URI.create(uri);
        if (u.getScheme() == null || "file".equals(u.getScheme())) {
            return u.getScheme() == null ? Path.of(uri) : Path.of(u);
        }
        return LOCAL.computeIfAbsent(uri, k -> {
            try {
                Path dir = Files.createDirectories(Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "xaiscale-models",
                        Hashing.sha256Hex(uri).substring(0, 16)));
                org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(uri);
                FileSystem fs = src.getFileSystem(conf);
                for (FileStatus f : fs.listStatus(src)) {
                    if (f.isFile()) {
                        fs.copyToLocalFile(
                                false,
                                f.getPath(),
                                new org.apache.hadoop.fs.Path(
                                        dir.resolve(f.getPath().getName()).toUri()),
                                true);
                    }
                }
                return dir;
            } catch (IOException e) {
                throw new IllegalStateException(
                        "Cannot copy model directory " + uri + " to local disk: " + e.getMessage(), e);
            }
        });
    }
}
