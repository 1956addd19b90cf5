package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.catalog.Catalog;
import io.xaiscale.jobs.session.Sessions;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code xai register}: the warehouse's tables by name in a database of the session catalog (a Hive
 * metastore), so any Spark application of that metastore reads {@code xai.explanations} and runs the
 * notebooks after {@code USE xai}. Every other Spark command does the same after its run when given
 * {@code --database}.
 */
public final class RegisterCommand implements Command {
    @Override
    public String name() {
        return "register";
    }

    @Override
    public String summary() {
        return "create or update the tables in a database of the catalog (Hive metastore) as external Delta tables";
    }

    @Override
    public Options options() {
        return Defaults.catalog(Defaults.spark(new Options(name())), "xai");
    }

    @Override
    public void run(Options o) {
        register(o);
    }

    /** Whether {@code o} asks for registering after the command's run (a {@code --database} given); checks its name. */
    static boolean wanted(Options o) {
        if (!o.declares("database") || o.get("database").isBlank()) {
            return false;
        }
        Catalog.database(o.get("database"));
        return true;
    }

    /** Registers the tables of {@code --warehouse} in {@code --database} of the metastore of {@code --metastore}. */
    static List<Catalog.Entry> register(Options o) {
        String db = Catalog.database(o.get("database"));
        // the catalog's own session (Hive support): not Command.withSession's
        SparkSession spark = Sessions.withCatalog("xai-register", o.get("master"), o.get("metastore"));
        try {
            List<Catalog.Entry> done = Catalog.register(spark, o.get("warehouse"), db);
            for (Catalog.Entry e : done) {
                System.out.printf(
                        "[register] %s.%-22s %-8s %s%n",
                        db, e.name(), e.action(), e.location() == null ? "" : e.location());
            }
            System.out.println("[register] " + done.size() + " name(s) in database " + db
                    + "; read them from any Spark application of this metastore, e.g. spark.sql(\"USE " + db + "\")");
            return done;
        } finally {
            spark.stop();
        }
    }
}
