package io.xaiscale.jobs.catalog;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.SqlRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.sql.types.StructField;
import scala.Option;

/**
 * The warehouse's tables by name in the session catalog (a Hive metastore): each table of
 * {@link Tables#ALL} an external Delta table at its path in the warehouse, so {@code spark-sql}, a
 * notebook or a BI tool of that metastore finds {@code db.explanations} without knowing a path, and the
 * files of {@code notebooks-sql/} run unchanged after {@code USE db}. A table the warehouse does not
 * have yet is a view of its schema with no rows (as {@code xai sql} registers it), replaced by the table
 * once it exists; the views the notebooks build on ({@code metric_families}, {@code leaderboard}) are
 * permanent views of the database. Registering again is safe: what is in place stays, a table moved to
 * another warehouse is pointed there (its files are never touched: the tables are external).
 */
public final class Catalog {
    private Catalog() {}

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** What registering did to one name of the database: {@code created}, {@code kept}, {@code moved}, {@code view}. */
    public record Entry(String name, String action, String location) {}

    /** Checks a database name before any session starts: letters, digits and underscores. */
    public static String database(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid database name '" + name
                    + "': use letters, digits and underscores, starting with a letter (e.g. xai)");
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** Creates or updates database {@code db} of {@code spark}'s catalog over the tables of {@code warehouse}. */
    public static List<Entry> register(SparkSession spark, String warehouse, String db) {
        String database = database(db);
        spark.sql("CREATE DATABASE IF NOT EXISTS `" + database + "` COMMENT 'xaiscale tables of "
                + DeltaIO.sqlString(warehouse) + "'");
        SessionCatalog catalog = spark.sessionState().catalog();
        List<Entry> out = new ArrayList<>();
        for (Table t : Tables.ALL) {
            out.add(table(spark, catalog, database, t, warehouse));
        }
        // the notebooks' views resolve their tables in the database they are created in
        String previous = spark.catalog().currentDatabase();
        spark.sql("USE `" + database + "`");
        try {
            spark.sql("CREATE OR REPLACE VIEW `" + database + "`.metric_families AS " + metricFamilies());
            out.add(new Entry("metric_families", "view", null));
            spark.sql("CREATE OR REPLACE VIEW `" + database + "`.t_quantiles AS " + tQuantiles());
            out.add(new Entry("t_quantiles", "view", null));
            spark.sql("CREATE OR REPLACE VIEW `" + database + "`.leaderboard AS " + leaderboardQuery());
            out.add(new Entry("leaderboard", "view", null));
        } finally {
            spark.sql("USE `" + previous + "`");
        }
        return out;
    }

    private static Entry table(SparkSession spark, SessionCatalog catalog, String db, Table t, String warehouse) {
        String name = "`" + db + "`.`" + t.name() + "`";
        TableIdentifier id = new TableIdentifier(t.name(), Option.apply(db));
        CatalogTable current = metadata(catalog, id);
        boolean isView = current != null && current.tableType().equals(CatalogTableType.VIEW());
        String path = t.path(warehouse);
        if (!DeltaIO.exists(spark, path)) {
            if (current != null && !isView) {
                return new Entry(t.name(), "kept", current.location().toString());
            }
            spark.sql("CREATE OR REPLACE VIEW " + name + " AS " + emptyOf(t));
            return new Entry(t.name(), "view", null);
        }
        String location = qualified(spark, path);
        String action = "created";
        if (current != null) {
            if (isView) {
                spark.sql("DROP VIEW " + name);
            } else if (sameLocation(current, location)) {
                return new Entry(t.name(), "kept", location);
            } else if (current.tableType().equals(CatalogTableType.MANAGED())) {
                throw new IllegalArgumentException("Table " + db + "." + t.name() + " is a managed table of the catalog"
                        + " (dropping it would delete its data): register the warehouse in another database");
            } else {
                spark.sql("DROP TABLE " + name); // external: the files stay
                action = "moved";
            }
        }
        spark.sql("CREATE TABLE IF NOT EXISTS " + name + " USING DELTA LOCATION '" + DeltaIO.sqlString(location) + "'");
        return new Entry(t.name(), action, location);
    }

    /** The catalog's entry of {@code id}, null when it has none. */
    private static CatalogTable metadata(SessionCatalog catalog, TableIdentifier id) {
        try {
            return catalog.tableExists(id) ? catalog.getTableMetadata(id) : null;
        } catch (Exception e) { // the checked NoSuchTable/NoSuchDatabase exceptions, declared by Scala
            throw new IllegalStateException("Cannot read the catalog's entry of " + id + ": " + e.getMessage(), e);
        }
    }

    private static boolean sameLocation(CatalogTable t, String location) {
        return t.storage().locationUri().isDefined()
                && new Path(t.storage().locationUri().get()).toString().equals(new Path(location).toString());
    }

    /** The path with its file system's scheme (a local directory becomes {@code file:/...}). */
    static String qualified(SparkSession spark, String path) {
        try {
            Path p = new Path(path);
            return p.getFileSystem(spark.sparkContext().hadoopConfiguration())
                    .makeQualified(p)
                    .toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A query of no rows with the table's columns and types: the placeholder of a table not written yet. */
    static String emptyOf(Table t) {
        return "SELECT "
                + Arrays.stream(t.schema().fields()).map(Catalog::nullOf).collect(Collectors.joining(", "))
                + " WHERE 1 = 0";
    }

    private static String nullOf(StructField f) {
        return "CAST(NULL AS " + f.dataType().sql() + ") AS `" + f.name() + "`";
    }

    /** {@link SqlRunner#metricFamilies} as a VALUES query: the registry of this version of the project. */
    static String metricFamilies() {
        return "SELECT * FROM VALUES "
                + SqlRunner.metricFamilyRows().stream()
                        .map(r -> "('" + DeltaIO.sqlString(r.getString(0)) + "', '" + DeltaIO.sqlString(r.getString(1))
                                + "', '" + DeltaIO.sqlString(r.getString(2)) + "')")
                        .collect(Collectors.joining(", "))
                + " AS t(output, metric, family)";
    }

    /** Student's t quantiles by degrees of freedom ({@link SqlRunner#tQuantileRows}) as a VALUES query. */
    static String tQuantiles() {
        return "SELECT * FROM VALUES "
                + SqlRunner.tQuantileRows().stream()
                        .map(r -> "(" + r.getInt(0) + ", " + Double.toString(r.getDouble(1)) + "D)")
                        .collect(Collectors.joining(", "))
                + " AS t(df, t975)";
    }

    /** The query of the view {@code leaderboard.sql} defines first (as a temporary view). */
    static String leaderboardQuery() {
        String first =
                SqlRunner.statements(SqlRunner.notebook("leaderboard.sql")).get(0);
        String head = "CREATE OR REPLACE TEMPORARY VIEW leaderboard AS";
        if (!first.startsWith(head)) {
            throw new IllegalStateException("leaderboard.sql no longer starts with '" + head + "'");
        }
        return first.substring(head.length());
    }
}
