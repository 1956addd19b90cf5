package io.xaiscale.jobs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The build's version and commit, from {@code xaiscale-build.properties} (the project version, filtered
 * by Maven) and {@code git.properties} (written by git-commit-id-maven-plugin when the build ran in a
 * git checkout); "unknown" where a build had neither.
 */
public final class Version {
    private Version() {}

    /** E.g. {@code xaiscale 0.1.0-SNAPSHOT (commit 1a2b3c4, 2026-12-07T05:40:00Z)}. */
    public static String line() {
        Properties build = load("/xaiscale-build.properties");
        Properties git = load("/git.properties");
        String commit = git.getProperty("git.commit.id.abbrev", "unknown");
        String dirty = "true".equals(git.getProperty("git.dirty")) ? "+changes" : "";
        String time = git.getProperty("git.commit.time", "");
        return "xaiscale " + build.getProperty("version", "unknown") + " (commit " + commit + dirty
                + (time.isEmpty() ? "" : ", " + time) + ")";
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no build information: "unknown"
        }
        return p;
    }
}
