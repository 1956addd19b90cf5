package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.session.Sessions;
import org.apache.spark.sql.SparkSession;

/** One sub-command of the {@code xai} launcher. */
public interface Command {
    String name();

    String summary();

    /** Declares this command's options (with defaults and help). */
    Options options();

    void run(Options options) throws Exception;

    /** Work of a command in a Spark session. */
    @FunctionalInterface
    interface SparkWork {
        void run(SparkSession spark) throws Exception;
    }

    /**
     * Runs {@code work} in a Spark session of this command (application {@code xai-NAME}, master
     * {@code --master} unless spark-submit set one), stopped afterwards whatever happens.
     */
    default void withSession(Options o, SparkWork work) throws Exception {
        withSession("xai-" + name(), o.get("master"), work);
    }

    /** {@link #withSession(Options, SparkWork)} with the application's name and default master given. */
    static void withSession(String appName, String master, SparkWork work) throws Exception {
        SparkSession spark = Sessions.create(appName, master);
        try {
            work.run(spark);
        } finally {
            spark.stop();
        }
    }
}
