package io.xaiscale.jobs.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials from a file instead of the command line: read, overridden by -D, and a readable file is named. */
class UserPropertiesTest {
    @TempDir
    Path tmp;

    @Test
    void sparkSettingsComeFromTheFileAndAFileOthersCanReadIsNamed() throws Exception {
        Path file = tmp.resolve("s3.properties");
        Files.writeString(
                file,
                "spark.hadoop.fs.s3a.access.key=AKIAEXAMPLE\nspark.hadoop.fs.s3a.secret.key=secret\n"
                        + "spark.ui.enabled=true\nnot.spark=ignored\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        SparkConf conf = new SparkConf(false).set("spark.ui.enabled", "false");
        assertNull(UserProperties.load(conf, file));
        assertEquals("AKIAEXAMPLE", conf.get("spark.hadoop.fs.s3a.access.key"));
        assertEquals("false", conf.get("spark.ui.enabled"), "what is set already wins");
        assertEquals(false, conf.contains("not.spark"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(
                file + " (credentials?) can be read by other users: chmod 600 " + file,
                UserProperties.load(new SparkConf(false), file));
    }
}
