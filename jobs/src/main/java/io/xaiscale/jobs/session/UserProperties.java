package io.xaiscale.jobs.session;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;

/**
 * Spark and Hadoop settings from a properties file named by {@code XAI_SPARK_PROPERTIES}: the way to
 * give a run its S3 credentials without putting them on a command line, where {@code ps} shows them
 * to every user of the machine. Settings given as {@code -Dspark...} win over the file. A file that
 * others may read is used, with a warning that says how to close it.
 */
public final class UserProperties {
    public static final String ENV = "XAI_SPARK_PROPERTIES";

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private UserProperties() {}

    /** {@code new SparkConf(true)} plus the file named by {@link #ENV}, if any. */
    public static SparkConf sparkConf() {
        SparkConf conf = new SparkConf(true);
        String file = System.getenv(ENV);
        if (file != null && !file.isBlank()) {
            String warning = load(conf, Path.of(file));
            // read by every conf built before and with Spark: the warning is said once per JVM
            if (warning != null && WARNED.compareAndSet(false, true)) {
                System.err.println("xai: warning: " + warning);
            }
        }
        return conf;
    }

    /** Adds the {@code spark.*} entries of {@code file} that {@code conf} does not set; returns a warning or null. */
    static String load(SparkConf conf, Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + ENV + " file " + file + ": " + e.getMessage(), e);
        }
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("spark.") && !conf.contains(k)) {
                conf.set(k, p.getProperty(k).strip());
            }
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                return file + " (credentials?) can be read by other users: chmod 600 " + file;
            }
        } catch (UnsupportedOperationException | IOException e) {
            return null; // not a POSIX file system: nothing to say
        }
        return null;
    }
}
