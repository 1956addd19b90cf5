package io.xaiscale.jobs.cli;

import java.io.PrintStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.runtime.AbstractFunction0;

/**
 * Data to standard output, everything else (progress, logs, outcome lines) to standard error, so
 * {@code xai sql ... > out.txt} holds the results alone. {@link #separate} is called once by the
 * launcher's {@code main}: it keeps the real standard output for data and points {@code System.out}
 * at standard error for every progress line of the commands and of the libraries.
 */
public final class Output {
    private static volatile PrintStream data = System.out;

    private Output() {}

    /** From now on, {@code System.out} is standard error and {@link #data} the real standard output. */
    public static void separate() {
        data = System.out;
        System.setOut(System.err);
    }

    /** Sends data to {@code to} from now on (tests capture it); returns where it went before. */
    public static PrintStream use(PrintStream to) {
        PrintStream before = data;
        data = to;
        return before;
    }

    /** Where results go: help, versions, query results. */
    public static PrintStream data() {
        return data;
    }

    /** Prints {@code rows} rows of {@code ds} as Spark's table, to {@link #data}. */
    public static void show(Dataset<Row> ds, int rows) {
        scala.Console$.MODULE$.withOut(data, new AbstractFunction0<Object>() {
            @Override
            public Object apply() {
                ds.show(rows, false);
                return null;
            }
        });
    }
}
