package io.xaiscale.jobs.delta;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which build of the project wrote a row: the project version, filtered by Maven into {@code
 * xaiscale-build.properties}, and the commit, from {@code git.properties} (written by
 * git-commit-id-maven-plugin when the build ran in a git checkout); "unknown" where a build had neither.
 * Every row of the explanations, metrics, agreement, drift and audit tables records {@link #BUILD} in its
 * {@code xai_version} column ({@link Table.RowBuilder} sets it), and {@code xai --version} prints
 * {@link #line()}.
 */
public final class Provenance {
    private Provenance() {}

    /** The column that records the build that wrote a row. */
    public static final String COLUMN = "xai_version";

    private static final Properties BUILD_PROPERTIES = load("/xaiscale-build.properties");
    private static final Properties GIT = load("/git.properties");

    /** The project version. */
    public static final String VERSION = BUILD_PROPERTIES.getProperty("version", "unknown");

    /** The commit's abbreviated id, with {@code +changes} when the checkout had uncommitted changes. */
    public static final String COMMIT = GIT.getProperty("git.commit.id.abbrev", "unknown")
            + ("true".equals(GIT.getProperty("git.dirty")) ? "+changes" : "");

    /** What rows record: version and commit, e.g. {@code 0.1.0-SNAPSHOT (1a2b3c4)}. */
    public static final String BUILD = VERSION + " (" + COMMIT + ")";

    /** E.g. {@code xaiscale 0.1.0-SNAPSHOT (commit 1a2b3c4, 2026-12-07T05:40:00Z)}. */
    public static String line() {
        String time = GIT.getProperty("git.commit.time", "");
        return "xaiscale " + VERSION + " (commit " + COMMIT + (time.isEmpty() ? "" : ", " + time) + ")";
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no build information: "unknown"
        }
        return p;
    }
}
