package io.xaiscale.jobs;

import io.xaiscale.jobs.catalog.Catalog;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.jobs.session.SqlRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark application that knows only a metastore: {@code METASTORE DATABASE NOTEBOOK_DIR} runs every
 * SQL file of the folder by table name after {@code USE DATABASE} and prints {@code notebook FILE ROWS}
 * for each (SqlAndCatalogScenario starts it as a second JVM); given a warehouse as a fourth
 * argument, it then registers that warehouse in the database again and prints {@code again NAME ACTION}.
 */
public final class CatalogNotebooks {
    private CatalogNotebooks() {}

    public static void main(String[] args) throws Exception {
        SparkSession spark = Sessions.withCatalog("catalog-notebooks", "local[1]", args[0]);
        try {
            spark.sql("USE " + args[1]);
            List<Path> files;
            try (Stream<Path> s = Files.list(Path.of(args[2]))) {
                files = s.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
            }
            for (Path f : files) {
                System.out.println("notebook " + f.getFileName() + " "
                        + SqlRunner.run(spark, f).count());
            }
            if (args.length > 3) {
                // then, told the warehouse, register it again: what is in place stays
                for (Catalog.Entry e : Catalog.register(spark, args[3], args[1])) {
                    System.out.println("again " + e.name() + " " + e.action());
                }
            }
        } finally {
            spark.stop();
        }
    }
}
