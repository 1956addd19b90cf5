package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.jobs.cli.Output;
import io.xaiscale.jobs.session.Endpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors of usage and validation: one line naming the value and what is valid, exit code 2, no Spark started. */
class MainTest {
    @TempDir
    static Path tmp;

    record Outcome(int code, String err, String out) {}

    static Outcome run(String... args) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        PrintStream oldData = Output.use(new PrintStream(data, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Outcome(code, buf.toString(StandardCharsets.UTF_8), data.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
            Output.use(oldData);
        }
    }

    /**
     * picocli's command line: -h per command, -V with the build's version and commit, a completion
     * script, booleans written three ways, a mistyped option named with the valid ones and the one
     * probably meant, an unknown command with the valid ones; help and results on stdout.
     */
    @Test
    void theCommandLineHasHelpVersionCompletionAndConsistentBooleans() throws Exception {
        Outcome o = run("-V");
        assertEquals(0, o.code());
        assertTrue(o.out().matches("xaiscale \\S+ \\(commit [^)]+\\)\\s*"), o.out());
        o = run("explain", "-h");
        assertEquals(0, o.code());
        assertTrue(o.out().startsWith("explain: explain every image with every method"), o.out());
        assertTrue(o.out().contains("--retry-errors[=B]"), o.out());
        assertEquals("", o.err());
        o = run("completion");
        assertTrue(o.out().contains("complete -F"), o.out());
        o = run("explain", "--methds", "gradient");
        assertEquals(2, o.code());
        assertTrue(
                o.err().startsWith("xai explain: Unknown option --methds for explain (valid: --warehouse,"), o.err());
        assertTrue(o.err().strip().endsWith("(did you mean --methods or --metastore?)"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        // an option given twice keeps its last value
        o = run(
                "audit",
                "--file",
                tmp.resolve("first.yaml").toString(),
                "--file",
                tmp.resolve("second.yaml").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("xai audit: Audit config not found: " + tmp.resolve("second.yaml")), o.err());
        o = run("frobnicate");
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("Unknown command: frobnicate (valid: demo, pipeline, audit,"), o.err());
        // a boolean: --full, --full=true and --full true read alike (the file is what fails, after parsing)
        for (String[] full : new String[][] {{"--full"}, {"--full=true"}, {"--full", "true"}, {"--full", "false"}}) {
            String[] args = Stream.concat(
                            Stream.of(
                                    "audit", "--file", tmp.resolve("none.yaml").toString()),
                            Stream.of(full))
                    .toArray(String[]::new);
            o = run(args);
            assertEquals(2, o.code(), String.join(" ", full));
            assertTrue(
                    o.err().startsWith("xai audit: Audit config not found:"), String.join(" ", full) + ": " + o.err());
        }
    }

    /** A user's SQL error is Spark's message in one line and exit code 2; results alone on stdout. */
    @Test
    void aSqlErrorIsOneLineAndResultsAloneGoToStdout() throws Exception {
        String wh = tmp.resolve("sql-warehouse").toString();
        Outcome o = run("sql", "--warehouse", wh, "--master", "local[1]", "--query", "SELECT nope FROM images");
        assertEquals(2, o.code(), o.err());
        String last = o.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(
                last.startsWith("xai sql: SQL of --query: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function"
                        + " parameter with name `nope` cannot be resolved."),
                o.err());
        o = run("sql", "--warehouse", wh, "--master", "local[1]", "--query", "SELECT 41 + 1 AS answer");
        assertEquals(0, o.code(), o.err());
        assertEquals("+------+\n|answer|\n+------+\n|42    |\n+------+", o.out().strip());
        o = run("sql", "--warehouse", wh, "--master", "local[1]", "--query", "DELETE FROM images");
        assertEquals(2, o.code(), o.err());
        assertTrue(
                o.err().contains("xai sql: xai sql runs statements that read; a DeleteFromTable statement is refused"),
                o.err());
    }

    static String model() {
        Path p = Path.of("").toAbsolutePath();
        while (!p.resolve("models/fmnist-loc-cnn").toFile().exists()) {
            p = p.getParent();
        }
        return p.resolve("models/fmnist-loc-cnn").toString();
    }

    @Test
    void aWrongValueIsOneLineAndExitCode2() throws Exception {
        Outcome o = run("explain", "--model", model(), "--warehouse", tmp.toString(), "--methods", "gradient,shap");
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("xai explain: Unknown explanation method: shap (valid: gradient, "), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        o = run("ingest", "--benchmark", "3", "--seed", "x", "--warehouse", tmp.toString());
        assertEquals(2, o.code());
        assertEquals(
                "xai ingest: Invalid --seed: x (must be an integer)", o.err().strip());
    }

    @Test
    void aWrongAuditFileIsOneLineAndExitCode2() throws Exception {
        Outcome o = run("audit");
        assertEquals(2, o.code());
        assertEquals(
                "xai audit: audit needs --file (the audit's YAML file, e.g. conf/audit.example.yaml)",
                o.err().strip());
        Path yaml = Files.writeString(
                tmp.resolve("audit.yaml"), "name: nightly\nmodels: [" + model() + "]\nschedule: daily\n");
        o = run("audit", "--file", yaml.toString());
        assertEquals(2, o.code());
        assertTrue(
                o.err().startsWith("xai audit: Invalid audit config " + yaml + ": unknown field 'schedule' (valid: "),
                o.err());
        Files.writeString(yaml, "name: nightly\nmodels: [" + model() + "]\nselect: {classes: [hat]}\n");
        o = run("audit", "--file", yaml.toString());
        assertEquals(2, o.code());
        assertTrue(
                o.err().contains("Invalid --classes: hat (valid: 0..9 or a class name: t-shirt/top, trouser"), o.err());
    }

    @Test
    void aMissingModelIsOneLineAndVerboseAddsTheStackTrace() throws Exception {
        String missing = tmp.resolve("nope").toString();
        Outcome o = run("evaluate", "--model", missing, "--warehouse", tmp.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("xai evaluate: Model card not found: " + missing), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        Outcome verbose = run("evaluate", "--model", missing, "--warehouse", tmp.toString(), "--verbose");
        assertEquals(2, verbose.code());
        assertTrue(verbose.err().contains("\tat io.xaiscale."), verbose.err());
        assertFalse(run("help").err().contains("Exception"));
    }

    /** A copy of the shipped model whose card is edited by {@code edit} (a JSON string replacement). */
    static Path copyOfModel(String name, String from, String to) throws Exception {
        Path src = Path.of(model());
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Path card = dir.resolve("model.json");
        String json = Files.readString(card);
        assertTrue(json.contains(from), from);
        Files.writeString(card, json.replace(from, to));
        return dir;
    }

    @Test
    void aCardWithTheWrongClassCountOrOtherWeightsIsRefusedBeforeSparkStarts() throws Exception {
        Path warehouse = tmp.resolve("identity-warehouse");
        Path nine = copyOfModel("nine-classes", ", \"ankle boot\" ]", " ]");
        Outcome o = run("explain", "--model", nine.toString(), "--warehouse", warehouse.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().startsWith("xai explain: "), o.err());
        assertTrue(
                o.err().contains("fmnist-loc-cnn@1: the weights give 10 logits but model.json lists 9 classes"),
                o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        Path retrained = copyOfModel("other-weights", "\"weights_sha256\" : \"892a", "\"weights_sha256\" : \"000a");
        o = run("explain", "--model", retrained.toString(), "--warehouse", warehouse.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("do not match the card"), o.err());
        assertFalse(Files.exists(warehouse), "refused before Spark started: no table written");
    }

    @Test
    void anUnreachableS3EndpointFailsInBoundedTimeNamingItAndNeverEchoesCredentials() throws Exception {
        System.setProperty("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:1");
        System.setProperty("spark.hadoop.fs.s3a.connection.establish.timeout", "2s");
        try {
            long t0 = System.nanoTime();
            Outcome o = run(
                    "ingest",
                    "--source",
                    "s3a://AKIAEXAMPLE:wJalrXUtnFEMI@photos/2026/",
                    "--warehouse",
                    tmp.resolve("never").toString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(2, o.code(), o.err());
            assertTrue(
                    o.err()
                            .startsWith("xai ingest: Cannot reach the S3 endpoint http://127.0.0.1:1 (host 127.0.0.1,"
                                    + " port 1) for bucket photos within 2000 ms"),
                    o.err());
            assertFalse(o.err().contains("wJalrXUtnFEMI") || o.err().contains("AKIAEXAMPLE"), o.err());
            assertTrue(seconds < 60, "bounded: " + seconds + " s");
            assertFalse(Files.exists(tmp.resolve("never")), "failed before Spark started");
        } finally {
            System.clearProperty("spark.hadoop.fs.s3a.endpoint");
            System.clearProperty("spark.hadoop.fs.s3a.connection.establish.timeout");
        }
        assertEquals(
                "Not found: s3a://***@bucket/x and file://***@host/y",
                Endpoints.redact("Not found: s3a://KEY:SECRET@bucket/x and file://u:p@host/y"));
    }
}
