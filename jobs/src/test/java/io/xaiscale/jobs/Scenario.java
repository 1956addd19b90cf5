package io.xaiscale.jobs;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;

/**
 * An end-to-end feature scenario: its tests run the jobs on the {@link Fixture} (shared session,
 * shipped model, the warehouse built once per JVM) and each test takes its own copy or warehouse
 * when it writes, so any test runs alone and in any order ({@code mvn -Dtest='AuditScenario#...'}).
 */
abstract class Scenario {
    static final Path ROOT = Fixture.ROOT;
    static final String METHODS = Fixture.METHODS;
    static final String METRICS = Fixture.METRICS;

    static Fixture fixture;
    static SparkSession spark;

    @BeforeAll
    static void useTheFixture() throws Exception {
        fixture = Fixture.get();
        spark = Fixture.session();
    }
}
