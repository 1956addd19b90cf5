package io.xaiscale.jobs.session;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.command.CreateViewCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import scala.collection.JavaConverters;

/**
 * What {@code xai sql} runs by default: statements that read. A statement is parsed (not run) with the
 * session's parser (Delta's included) and refused, naming what it is, unless it is a query
 * ({@code SELECT}, {@code WITH}, {@code VALUES}, {@code TABLE}), a {@code SHOW}, a {@code DESCRIBE}
 * (Delta's {@code DESCRIBE HISTORY} and {@code DETAIL} too), an {@code EXPLAIN}, a {@code USE} or a
 * {@code CREATE TEMPORARY VIEW ... AS} query (the notebooks make one; it lives in the session). Writes
 * (INSERT, UPDATE, DELETE, MERGE, VACUUM, OPTIMIZE, DDL), {@code ADD JAR}, {@code CREATE FUNCTION},
 * {@code SET} and the functions that call Java ({@code reflect}, {@code java_method}) are refused;
 * {@link #settings} turns off queries of files by path ({@code text.`file:///...`}). {@code xai sql
 * --allow-writes} runs anything: SQL is code, with the rights of the Spark application.
 */
public final class ReadOnlySql {
    /** The commands that only read, by their plan class's simple name. */
    static final Set<String> READING_COMMANDS = Set.of(
            "ShowTables",
            "ShowTableExtended",
            "ShowViews",
            "ShowColumns",
            "ShowFunctions",
            "ShowNamespaces",
            "ShowCreateTable",
            "ShowTableProperties",
            "ShowPartitions",
            "ShowCatalogs",
            "DescribeRelation",
            "DescribeColumn",
            "DescribeNamespace",
            "DescribeFunction",
            "DescribeDeltaHistory",
            "DescribeDeltaDetailCommand",
            "SetCatalogAndNamespace");

    /** Functions that run arbitrary Java methods of the driver's or executors' classpath. */
    static final Set<String> JAVA_FUNCTIONS = Set.of("reflect", "java_method", "try_reflect");

    public static final String ALLOWED =
            "SELECT, WITH, VALUES, TABLE, SHOW, DESCRIBE, EXPLAIN, USE, CREATE TEMPORARY VIEW ... AS a query";

    private ReadOnlySql() {}

    /** The session settings of a read-only session: no query of a file by its path. */
    public static void settings(SparkSession spark) {
        spark.conf().set("spark.sql.runSQLOnFiles", "false");
    }

    /** Refuses {@code statement} unless it only reads; the message names what it is and how to run it anyway. */
    public static void check(SparkSession spark, String statement) {
        check(spark.sessionState().sqlParser(), statement);
    }

    /** {@link #check(SparkSession, String)} with {@code parser}. */
    static void check(ParserInterface parser, String statement) {
        LogicalPlan plan;
        try {
            plan = parser.parsePlan(statement);
        } catch (ParseException e) {
            throw new IllegalArgumentException(
                    "SQL does not parse: " + e.getMessage().strip().split("\n")[0] + ": " + abbreviate(statement), e);
        }
        String refused = refusal(plan);
        if (refused != null) {
            throw new IllegalArgumentException(
                    "xai sql runs statements that read; " + refused + " is refused (allowed: "
                            + ALLOWED + "). To run it anyway: --allow-writes (SQL is code, run with the rights of the"
                            + " Spark application): " + abbreviate(statement));
        }
    }

    /** What is refused in {@code plan}, or null. */
    static String refusal(LogicalPlan plan) {
        String kind = plan.getClass().getSimpleName();
        if (plan instanceof ExplainCommand e) {
            return refusal(e.logicalPlan());
        }
        if (plan instanceof CreateViewCommand v) {
            if (!String.valueOf(v.viewType()).equals("LocalTempView")) {
                return "a view that outlives the session (" + v.viewType() + ")";
            }
            return refusal(v.plan());
        }
        if (plan instanceof Command) {
            return READING_COMMANDS.contains(kind) ? null : "a " + kind + " statement";
        }
        if (kind.startsWith("Insert")) {
            return "a " + kind + " statement";
        }
        return javaCalls(plan);
    }

    /** The first call of a Java-calling function anywhere in {@code root} (subqueries included), or null. */
    private static String javaCalls(LogicalPlan root) {
        Deque<Object> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            Object node = todo.pop();
            if (node instanceof LogicalPlan p) {
                todo.addAll(JavaConverters.seqAsJavaList(p.children()));
                todo.addAll(JavaConverters.seqAsJavaList(p.expressions()));
            } else if (node instanceof Expression e) {
                if (e instanceof UnresolvedFunction f) {
                    List<String> parts = JavaConverters.seqAsJavaList(f.nameParts());
                    String name = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
                    if (JAVA_FUNCTIONS.contains(name)) {
                        return "function " + name + " (it calls Java methods)";
                    }
                }
                if (e instanceof SubqueryExpression s) {
                    todo.add(s.plan());
                }
                todo.addAll(JavaConverters.seqAsJavaList(e.children()));
            }
        }
        return null;
    }

    private static String abbreviate(String statement) {
        String one = statement.strip().replaceAll("\\s+", " ");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }
}
