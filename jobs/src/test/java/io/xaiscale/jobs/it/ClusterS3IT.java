package io.xaiscale.jobs.it;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The job jar submitted with spark-submit (client mode) to a real standalone cluster on loopback
 * (a master and two 1-core workers started from the Maven jars), reading images and the model from
 * S3 and writing Delta tables to S3 (S3Proxy, filesystem backend, on loopback): two nightly audits (the
 * whole pipeline, then new images and a new model version, gated), cluster-mode drivers, then the faults:
 * a driver killed and the job rerun, which loses a worker in the middle of its explain stage. Every job
 * writes the one warehouse of the audits, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterS3IT {
    static final Path ROOT =
            Path.of(System.getProperty("xai.root", "..")).toAbsolutePath().normalize();
    /** Where the integration tests work, each in a folder of its own: failsafe runs two at once. */
    static final Path IT_WORK = ROOT.resolve("jobs/target/it-work");

    static final Path WORK = IT_WORK.resolve("cluster");
    static final Path LOGS = WORK.resolve("logs");
    static final String ACCESS = "it-access";
    static final String SECRET = "it-secret-" + UUID.randomUUID();
    static final String BUCKET = "xai";
    static final int IMAGES = 12;
    /** The warehouse every job of this test writes: the nightly audit's. */
    static final String WAREHOUSE = "s3a://" + BUCKET + "/audit-warehouse";

    static List<String> flags;
    static String classpath;
    static Map<String, String> env;
    static int s3Port;
    static int masterPort;
    static int masterUi;
    static Child s3;
    static Child master;
    static Child worker1;
    static Child worker2;
    static SparkSession spark;

    /**
     * What {@code java -cp} runs the product with outside spark-submit: the job jar on a Spark
     * distribution's jars (module deploy/spark-dist), none of the test classpath.
     */
    static String jobJarClasspath() throws IOException {
        return System.getProperty("xai.jobJar")
                + File.pathSeparator
                + Files.readString(Path.of(System.getProperty("xai.sparkClasspath")))
                        .strip();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void awaitPort(int port, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("nothing listens on 127.0.0.1:" + port + " after " + timeout);
    }

    static int aliveWorkers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + masterUi + "/json/")
                    .toURL()
                    .openConnection();
            String json = new String(c.getInputStream().readAllBytes());
            Matcher m = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)").matcher(json);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static Configuration s3Conf() {
        Configuration c = new Configuration();
        s3Settings().forEach((k, v) -> c.set(k.substring("spark.hadoop.".length()), v));
        return c;
    }

    static Map<String, String> s3Settings() {
        return Map.of(
                "spark.hadoop.fs.s3a.endpoint",
                "http://127.0.0.1:" + s3Port,
                "spark.hadoop.fs.s3a.path.style.access",
                "true",
                "spark.hadoop.fs.s3a.connection.ssl.enabled",
                "false",
                "spark.hadoop.fs.s3a.access.key",
                ACCESS,
                "spark.hadoop.fs.s3a.secret.key",
                SECRET,
                "spark.hadoop.fs.s3a.change.detection.mode",
                "none");
    }

    @BeforeAll
    static void startCluster() throws Exception {
        if (Files.exists(WORK)) {
            try (Stream<Path> s = Files.walk(WORK)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(LOGS);
        flags = new ArrayList<>(
                List.of(System.getProperty("xai.sparkFlags").trim().split("\\s+")));
        flags.add("-Dlog4j2.configurationFile=" + ROOT.resolve("conf/log4j2.properties"));
        // what a Spark distribution with hadoop-aws holds (module deploy/spark-dist), and nothing of the
        // project: the master, the workers, spark-submit and so the client-mode driver run on it, and
        // the project, DJL, Delta and the report's libraries come with the job jar alone
        classpath = Files.readString(Path.of(System.getProperty("xai.sparkClasspath")))
                .strip();
        // SPARK_HOME/jars: what a worker puts on an executor's classpath
        Path sparkHome = Files.createDirectories(WORK.resolve("spark-home/jars"));
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.toString().endsWith(".jar")) {
                Path link = sparkHome.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        // a RELEASE file makes Spark's launcher take SPARK_HOME/jars as a distribution's jars folder
        Files.writeString(
                WORK.resolve("spark-home/RELEASE"),
                "Spark 3.5.7 (jars linked from the Maven repository by ClusterS3IT)\n");
        env = Map.of(
                "SPARK_HOME",
                WORK.resolve("spark-home").toString(),
                "SPARK_SCALA_VERSION",
                "2.12",
                "SPARK_LOCAL_IP",
                "127.0.0.1",
                "DJL_OFFLINE",
                "true",
                "DJL_CACHE_DIR",
                ROOT.resolve(".djl-cache").toString());

        s3Port = freePort();
        Path s3Dir = Files.createDirectories(WORK.resolve("s3/" + BUCKET)).getParent();
        Path s3Conf = WORK.resolve("s3proxy.conf");
        Files.writeString(
                s3Conf,
                String.join(
                        "\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + s3Port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS,
                        "s3proxy.credential=" + SECRET,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + s3Dir,
                        ""));
        s3 = Child.java(
                "s3proxy",
                LOGS,
                List.of("-jar", System.getProperty("xai.s3proxyJar")),
                null,
                null,
                List.of("--properties", s3Conf.toString()),
                Map.of(),
                null);
        masterPort = freePort();
        masterUi = freePort();
        master = Child.java(
                "master",
                LOGS,
                flags,
                classpath,
                "org.apache.spark.deploy.master.Master",
                List.of(
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(masterPort),
                        "--webui-port",
                        String.valueOf(masterUi)),
                env,
                null);
        awaitPort(masterPort, Duration.ofSeconds(60));
        worker1 = worker("worker1");
        worker2 = worker("worker2");
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (aliveWorkers() != 2 && System.nanoTime() < end) {
            Thread.sleep(300);
        }
        assertEquals(2, aliveWorkers(), "two workers registered; master log:\n" + master.tail());
        awaitPort(s3Port, Duration.ofSeconds(60));

        // the images (a few of the shipped sample, the truncated file, a manifest) and the model, uploaded through s3a
        FileSystem fs = FileSystem.get(URI.create("s3a://" + BUCKET + "/"), s3Conf());
        List<String> manifest = Files.readAllLines(ROOT.resolve("data/sample/manifest.csv"));
        StringBuilder m = new StringBuilder(manifest.get(0)).append('\n');
        for (String line : manifest.subList(1, manifest.size())) {
            String file = line.split(",")[0];
            if (file.compareTo(String.format("fmnist-loc-test-%05d.png", IMAGES)) < 0 || file.equals("truncated.png")) {
                fs.copyFromLocalFile(
                        new org.apache.hadoop.fs.Path(
                                ROOT.resolve("data/sample").resolve(file).toUri()),
                        new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/images/" + file));
                m.append(line).append('\n');
            }
        }
        Path local = Files.writeString(WORK.resolve("manifest.csv"), m.toString());
        fs.copyFromLocalFile(
                new org.apache.hadoop.fs.Path(local.toUri()),
                new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/manifest.csv"));
        for (String f : List.of("model.json", "fmnist-loc-cnn-0000.params")) {
            fs.copyFromLocalFile(
                    new org.apache.hadoop.fs.Path(
                            ROOT.resolve("models/fmnist-loc-cnn").resolve(f).toUri()),
                    new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/models/fmnist-loc-cnn/" + f));
        }
    }

    static Child worker(String name) throws IOException {
        int ui = freePort();
        return Child.java(
                name,
                LOGS,
                flags,
                classpath,
                "org.apache.spark.deploy.worker.Worker",
                List.of(
                        "--host",
                        "127.0.0.1",
                        "--cores",
                        "1",
                        "--memory",
                        "2g",
                        "--webui-port",
                        String.valueOf(ui),
                        "--work-dir",
                        WORK.resolve(name).toString(),
                        "spark://127.0.0.1:" + masterPort),
                env,
                null);
    }

    static Child submit(String name, String... appArgs) throws IOException {
        return submit(name, "client", appArgs);
    }

    static Child submit(String name, String deployMode, String... appArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--master",
                "spark://127.0.0.1:" + masterPort,
                "--deploy-mode",
                deployMode,
                "--properties-file",
                ROOT.resolve("conf/spark-defaults.conf").toString(),
                "--conf",
                "spark.executor.memory=1g",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.executorEnv.DJL_CACHE_DIR=" + ROOT.resolve(".djl-cache"),
                "--conf",
                "spark.sql.shuffle.partitions=4",
                // the executors' and cluster-mode drivers' JIT as every test JVM's (Child.jitFlags), before
                // spark-defaults.conf's extraJavaOptions
                "--conf",
                "spark.executor.defaultJavaOptions=" + String.join(" ", Child.jitFlags()),
                "--conf",
                "spark.driver.defaultJavaOptions=" + String.join(" ", Child.jitFlags()),
                "--conf",
                // tables of a few dozen files: Delta's default of 50 tasks per log replay is most of a tiny job
                "spark.databricks.delta.snapshotPartitions=4"));
        s3Settings().forEach((k, v) -> args.addAll(List.of("--conf", k + "=" + v)));
        args.addAll(List.of("--class", "io.xaiscale.jobs.Main", System.getProperty("xai.jobJar")));
        args.addAll(List.of(appArgs));
        List<String> jvm = new ArrayList<>(flags);
        jvm.add("-Dai.djl.offline=true");
        return Child.java(name, LOGS, jvm, classpath, "org.apache.spark.deploy.SparkSubmit", args, env, ROOT);
    }

    static String[] common(String command, String... more) {
        List<String> a = new ArrayList<>(
                List.of(command, "--warehouse", WAREHOUSE, "--model", "s3a://" + BUCKET + "/models/fmnist-loc-cnn"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static Dataset<Row> table(Table name) {
        if (spark == null) {
            SparkSession.Builder b = SparkSession.builder()
                    .master("local[1]")
                    .appName("cluster-it-reader")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
            for (var e : s3Settings().entrySet()) {
                b.config(e.getKey(), e.getValue());
            }
            spark = b.getOrCreate();
        }
        return spark.read().format("delta").load(name.path(WAREHOUSE));
    }

    static void assertOneRowPerKey(Table table, List<String> key) {
        Dataset<Row> t = table(table);
        assertEquals(
                t.count(),
                t.select(key.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
                        .distinct()
                        .count(),
                table + ": one row per key");
    }

    @AfterAll
    static void stopAll() {
        if (spark != null) {
            spark.stop();
        }
        for (Child c : new Child[] {worker1, worker2, master, s3}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** The job jar ships the product: the cost harness of the bench module stays out of it. */
    @Test
    @Order(0)
    void theJobJarShipsNoBenchHarness() throws Exception {
        try (ZipFile jar = new ZipFile(System.getProperty("xai.jobJar"))) {
            assertTrue(jar.getEntry("io/xaiscale/jobs/Main.class") != null, "the job jar holds the jobs");
            List<String> bench = jar.stream()
                    .map(ZipEntry::getName)
                    .filter(n -> n.startsWith("io/xaiscale/bench/"))
                    .toList();
            assertEquals(List.of(), bench);
        }
    }

    /** Kills worker 2 (and its executors) while {@code job}'s explain stage works, before it ends. */
    static void killWorker2InTheExplainStage(Child job) throws InterruptedException {
        assertTrue(job.awaitLog("pending explanation(s)", Duration.ofMinutes(3)), job.tail());
        Thread.sleep(3000); // executors are loading the model and working on the occlusion stacks now
        worker2.kill();
        assertFalse(
                job.output().contains("new explanation row(s)"),
                "the worker must die before the explain stage ends:\n" + job.tail());
    }

    /**
     * A driver killed after its first commit, then the rerun loses worker 2 (and its executor) in the middle
     * of its explain stage: the rerun computes only what the killed job had not committed, Spark reruns the
     * lost tasks on worker 1, and every image ends explained exactly once.
     */
    @Test
    @Order(3)
    void aDriverKilledThenAnExecutorLostInTheRerunLeaveEveryImageExplainedOnce() throws Exception {
        long images = table(Tables.IMAGES).count();
        // occlusion with 4-pixel windows: a stage of about 20 s, long enough to lose a worker in
        String[] args = common(
                "explain",
                "--methods",
                "occlusion[window=4,stride=2]",
                "--batch-size",
                "2",
                "--partitions",
                "8",
                "--commit-every",
                "4");
        try (Child job = submit("explain-driver-killed", args)) {
            assertTrue(job.awaitLog("[commit] chunk 1/", Duration.ofMinutes(4)), job.tail());
            job.kill();
        }
        long committed = table(Tables.EXPLANATIONS)
                .where(col("method").equalTo("occlusion"))
                .count();
        assertTrue(committed > 0 && committed < images, "some chunks committed before the kill: " + committed);
        // the rerun in one chunk: what it computes is the same, without a commit per 4 rows
        String[] once = common(
                "explain", "--methods", "occlusion[window=4,stride=2]", "--batch-size", "2", "--partitions", "8");
        try (Child rerun = submit("explain-rerun", once)) {
            killWorker2InTheExplainStage(rerun);
            assertEquals(0, rerun.awaitExit(Duration.ofMinutes(8)), rerun.tail());
            assertTrue(rerun.output().contains("-> " + (images - committed) + " pending explanation(s)"), rerun.tail());
        }
        assertEquals(
                images,
                table(Tables.EXPLANATIONS)
                        .where(col("method").equalTo("occlusion"))
                        .count(),
                "every image explained once");
        assertOneRowPerKey(Tables.EXPLANATIONS, Tables.EXPLANATIONS.key());
    }

    /**
     * An audit of the S3 images into its own warehouse, with these models (S3 folders), writing its report to S3
     * and comparing its methods (the agreement stage) when {@code report}.
     */
    static String auditYaml(boolean report, String... models) {
        return String.join(
                "\n",
                "name: cluster-nightly",
                "warehouse: " + WAREHOUSE,
                "source: s3a://" + BUCKET + "/images",
                "manifest: s3a://" + BUCKET + "/manifest.csv",
                "models: [" + String.join(", ", models) + "]",
                "methods: [gradient, grad_cam]",
                "metrics: [\"deletion_auc[steps=4]\", iou, pointing_game]",
                "gates:",
                "  - {gate: metric_change, metric: iou, method: gradient, max_worsening: 0.05}",
                // the second run neither writes the report nor compares methods: the first did both on the cluster
                report ? "options: {batch-size: 4}" : "options: {batch-size: 4, agreement: false}",
                report ? "report: s3a://" + BUCKET + "/reports/nightly\n" : "");
    }

    /**
     * Two audit runs submitted to the cluster (config, images, models and warehouse on S3); in between,
     * two new images, a new version of the model and an injected regression (iou halved): the second
     * run computes the new images for version 1 and everything for version 2 only, writes the drift
     * between the versions, tags its commits, and ends gated with exit code 3.
     */
    @Test
    @Order(1)
    void twoAuditRunsComputeOnlyTheNewWorkAndTheSecondIsGatedByTheInjectedRegression() throws Exception {
        FileSystem fs = FileSystem.get(URI.create("s3a://" + BUCKET + "/"), s3Conf());
        String v1 = "s3a://" + BUCKET + "/models/fmnist-loc-cnn";
        String v2 = "s3a://" + BUCKET + "/models/fmnist-loc-cnn-v2";
        String config = "s3a://" + BUCKET + "/audits/nightly.yaml";
        Path yaml = WORK.resolve("nightly.yaml");
        Files.writeString(yaml, auditYaml(true, v1));
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(yaml.toUri()), new org.apache.hadoop.fs.Path(config));
        try (Child job = submit("audit-1", new String[] {"audit", "--file", config})) {
            assertEquals(0, job.awaitExit(Duration.ofMinutes(6)), job.tail());
            assertTrue(job.output().contains("[explain] " + (IMAGES + 1) * 2 + " new explanation row(s)"), job.tail());
            assertTrue(
                    job.output().contains("[audit] report: s3a://" + BUCKET + "/reports/nightly/index.html"),
                    job.tail());
        }
        // the pipeline from S3 to Delta on S3: every image, method and metric once; the truncated file an error row
        assertEquals(IMAGES + 1, table(Tables.IMAGES).count());
        assertEquals((IMAGES + 1) * 2, table(Tables.EXPLANATIONS).count());
        assertEquals(
                2,
                table(Tables.EXPLANATIONS).where(col("error").isNotNull()).count(),
                "the truncated image, once per method");
        assertEquals(IMAGES * 2 * 3, table(Tables.METRICS).count());
        assertOneRowPerKey(Tables.EXPLANATIONS, Tables.EXPLANATIONS.key());
        // the report, built by the job jar's driver (templates, charts' script) and copied to S3
        for (String f : List.of("index.html", "leaderboard.html", "assets/echarts.min.js", "assets/report.css")) {
            assertTrue(
                    fs.exists(new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/reports/nightly/" + f)),
                    f + " of the report on S3");
        }

        // two new images with their manifest rows, version 2 of the model (the same weights), the config naming both
        List<String> manifest = Files.readAllLines(ROOT.resolve("data/sample/manifest.csv"));
        StringBuilder m = new StringBuilder(Files.readString(WORK.resolve("manifest.csv")));
        for (int i = IMAGES; i < IMAGES + 2; i++) {
            String file = String.format("fmnist-loc-test-%05d.png", i);
            fs.copyFromLocalFile(
                    new org.apache.hadoop.fs.Path(
                            ROOT.resolve("data/sample").resolve(file).toUri()),
                    new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/images/" + file));
            m.append(manifest.stream()
                            .filter(l -> l.startsWith(file + ","))
                            .findFirst()
                            .orElseThrow())
                    .append('\n');
        }
        Path local = Files.writeString(WORK.resolve("manifest-2.csv"), m.toString());
        fs.copyFromLocalFile(
                new org.apache.hadoop.fs.Path(local.toUri()),
                new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/manifest.csv"));
        Path card = Files.writeString(
                WORK.resolve("model-v2.json"),
                Files.readString(ROOT.resolve("models/fmnist-loc-cnn/model.json"))
                        .replace("\"version\" : \"1\"", "\"version\" : \"2\""));
        fs.copyFromLocalFile(
                new org.apache.hadoop.fs.Path(card.toUri()), new org.apache.hadoop.fs.Path(v2 + "/model.json"));
        fs.copyFromLocalFile(
                new org.apache.hadoop.fs.Path(ROOT.resolve("models/fmnist-loc-cnn/fmnist-loc-cnn-0000.params")
                        .toUri()),
                new org.apache.hadoop.fs.Path(v2 + "/fmnist-loc-cnn-0000.params"));
        // no report and no agreement this time: the first run showed both on the cluster, again they cost ~40 s
        Files.writeString(yaml, auditYaml(false, v1, v2));
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(yaml.toUri()), new org.apache.hadoop.fs.Path(config));
        String metrics = Tables.METRICS.path(WAREHOUSE);
        table(Tables.IMAGES); // the reader session
        spark.sql("UPDATE delta.`" + metrics + "` SET value = value * 0.5 WHERE metric = 'iou' AND value IS NOT NULL");
        String output;
        try (Child job = submit("audit-2", new String[] {"audit", "--file", config})) {
            assertEquals(Gates.EXIT_GATED, job.awaitExit(Duration.ofMinutes(8)), job.tail());
            output = job.output();
        }
        assertTrue(output.contains("[explain] model fmnist-loc-cnn@1: 2 method(s) x images -> 4 pending"), output);
        assertTrue(
                output.contains(
                        "[explain] model fmnist-loc-cnn@2: 2 method(s) x images -> " + (IMAGES + 3) * 2 + " pending"),
                output);

        String wh = WAREHOUSE;
        List<Row> runs = spark.read()
                .format("delta")
                .load(Tables.AUDIT_RUNS.path(wh))
                .orderBy("started_at")
                .collectAsList();
        assertEquals(
                List.of("succeeded", "gated"),
                runs.stream().map(r -> r.<String>getAs("status")).toList());
        String second = runs.get(1).getAs("run_id");
        assertTrue(
                runs.get(1).<String>getAs("spark_app_id").startsWith("app-"),
                "an application of the standalone master");
        // its commits carry its id; the drift between the versions: the same weights, the same predictions
        assertTrue(spark.sql("DESCRIBE HISTORY delta.`" + Tables.EXPLANATIONS.path(wh) + "`")
                        .where(col("userMetadata").equalTo("xai-run " + second))
                        .count()
                > 0);
        Dataset<Row> drift = spark.read().format("delta").load(Tables.MODEL_DRIFT.path(wh));
        assertEquals(
                (IMAGES + 2) * 2,
                drift.where(col("version_a").equalTo("1").and(col("version_b").equalTo("2")))
                        .count());
        assertEquals(0, drift.where(col("prediction_changed")).count());
        List<Row> gates = runs.get(1).getList(runs.get(1).fieldIndex("gates"));
        assertTrue(
                gates.stream().anyMatch(g -> !g.getBoolean(1) && g.getString(0).contains("(fmnist-loc-cnn@1)")),
                gates.toString());
    }

    /** The completed drivers the master reports: id to final state. */
    static Map<String, String> completedDrivers() throws IOException {
        HttpURLConnection c = (HttpURLConnection)
                URI.create("http://127.0.0.1:" + masterUi + "/json/").toURL().openConnection();
        JsonNode json = new ObjectMapper().readTree(c.getInputStream());
        Map<String, String> out = new TreeMap<>();
        json.path("completeddrivers")
                .forEach(d -> out.put(d.get("id").asText(), d.get("state").asText()));
        return out;
    }

    /**
     * In cluster mode the driver runs on a worker: a command that succeeds ends FINISHED (its main returns;
     * no {@code System.exit(0)}, which YARN's ApplicationMaster would take as a failure), one that fails
     * FAILED.
     */
    @Test
    @Order(2)
    void clusterModeDriversEndFinishedOrFailed() throws Exception {
        assertEquals(2, aliveWorkers(), "the driver takes a worker's core, executors the other's");
        String warehouse = WAREHOUSE;
        // one after the other: a cluster-mode driver holds one of the two cores until it ends
        assertEquals(
                "FINISHED",
                clusterDriver(
                        "cluster-ok", "sql", "--warehouse", warehouse, "--query", "SELECT COUNT(*) AS n FROM images"));
        assertEquals(
                "FAILED",
                clusterDriver(
                        "cluster-failing", "sql", "--warehouse", warehouse, "--query", "SELECT * FROM no_such_table"));
    }

    /** Submits a command in cluster mode and waits for its driver to complete; returns the driver's final state. */
    static String clusterDriver(String name, String... appArgs) throws Exception {
        Set<String> before = completedDrivers().keySet();
        try (Child submitter = submit(name, "cluster", appArgs)) {
            submitter.awaitExit(Duration.ofMinutes(2));
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (System.nanoTime() < end) {
                for (var d : completedDrivers().entrySet()) {
                    if (!before.contains(d.getKey())) {
                        return d.getValue();
                    }
                }
                Thread.sleep(1000);
            }
            throw new AssertionError(
                    "driver of " + name + " did not complete:\n" + submitter.tail() + "\n" + master.tail());
        }
    }

    @Test
    @Order(4)
    void credentialsNeverAppearInAnyLog() throws IOException {
        List<Path> logs;
        try (Stream<Path> s = Files.walk(WORK)) {
            logs = s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".log")
                            || p.getFileName().toString().matches("std(out|err)"))
                    .toList();
        }
        assertFalse(logs.isEmpty());
        for (Path p : logs) {
            if (p.getFileName().toString().equals("s3proxy.log")) {
                continue; // the server was given the secret on purpose
            }
            assertFalse(Files.readString(p).contains(SECRET), "secret printed in " + p);
        }
    }
}
