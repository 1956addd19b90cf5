package io.xaiscale.jobs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar on what a cluster provides (a Spark distribution with hadoop-aws: the classpath
 * of module {@code deploy/spark-dist}, nothing else): every class the project's code names resolves, the resources the
 * report copies are inside, and every command of {@code Main} answers {@code --help} from the jar.
 * {@link ClusterS3IT} runs the commands that write (pipeline, explain, audit with its report, report,
 * sql) through spark-submit on a standalone cluster.
 */
class JobJarIT {
    static final Path ROOT =
            Path.of(System.getProperty("xai.root", "..")).toAbsolutePath().normalize();
    static final Path LOGS = ROOT.resolve("jobs/target/it-work/jar-logs");

    static Path jar;
    static List<String> provided;

    @BeforeAll
    static void paths() throws IOException {
        jar = Path.of(System.getProperty("xai.jobJar"));
        provided = List.of(Files.readString(Path.of(System.getProperty("xai.sparkClasspath")))
                .strip()
                .split(File.pathSeparator));
        assertTrue(provided.stream().anyMatch(p -> p.contains("spark-core_2.12")), provided.toString());
        assertTrue(provided.stream().anyMatch(p -> p.contains("scala-library")), provided.toString());
        assertTrue(
                provided.stream().noneMatch(p -> p.contains("freemarker") || p.contains("/ai/djl/")),
                provided.toString());
    }

    /** The class names (internal form) a class file refers to through its constant pool. */
    static Set<String> referencedClasses(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        if (d.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        d.readUnsignedShort();
        d.readUnsignedShort();
        int count = d.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = d.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = d.readUTF();
                case 7 -> classNames.add(d.readUnsignedShort());
                case 8, 16, 19, 20 -> d.readUnsignedShort();
                case 3, 4, 9, 10, 11, 12, 17, 18 -> d.readInt();
                case 15 -> {
                    d.readUnsignedByte();
                    d.readUnsignedShort();
                }
                case 5, 6 -> {
                    d.readLong();
                    i++; // a long or double takes two entries
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        Set<String> out = new HashSet<>();
        for (int idx : classNames) {
            String n = utf8[idx];
            while (n.startsWith("[")) {
                n = n.substring(1);
            }
            if (n.startsWith("L") && n.endsWith(";")) {
                n = n.substring(1, n.length() - 1);
            }
            if (n.length() > 1) { // primitive array element types are single letters
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Every class that a class of the project (io/xaiscale/) in the job jar refers to is in the jar, in
     * a provided jar or in the JDK: a dependency missing from the shade's allow-list fails here, whatever
     * command would have loaded it.
     */
    @Test
    void everyClassTheProjectNamesResolvesOnTheJarAndWhatTheClusterProvides() throws IOException {
        assertEquals(
                Map.of(),
                missingClasses(jar, provided),
                "classes named by the project but absent from the job jar and the cluster's jars");
    }

    /**
     * The platform jar is the job jar less Delta Lake (its kernel, which no platform ships, stays): every class the project names resolves once the
     * platform's Delta jars are added to what a Spark cluster provides, and not before; one chain of
     * commands (ingest, explain, SQL) runs from it on that classpath.
     */
    @Test
    void thePlatformJarLeavesDeltaToThePlatformAndRunsOnIts() throws Exception {
        Path platform = Path.of(System.getProperty("xai.platformJar"));
        List<String> delta = List.of(Files.readString(Path.of(System.getProperty("xai.deltaClasspath")))
                .strip()
                .split(File.pathSeparator));
        assertTrue(delta.stream().anyMatch(p -> p.contains("delta-spark_2.12")), delta.toString());
        try (ZipFile z = new ZipFile(platform.toFile())) {
            assertEquals(
                    List.of(),
                    z.stream()
                            .map(ZipEntry::getName)
                            .filter(n -> n.endsWith(".class")
                                    && n.startsWith("io/delta/")
                                    && !n.startsWith("io/delta/kernel/"))
                            .limit(3)
                            .toList(),
                    "no Delta Lake class in the platform jar");
            assertNotNull(z.getEntry("io/delta/kernel/Table.class"), "Delta Kernel (the ledger's reads) is in");
        }
        assertTrue(
                missingClasses(platform, provided).keySet().stream().anyMatch(c -> c.startsWith("io/delta/")),
                "without the platform's Delta, Delta's classes are missing (the check can fail)");
        List<String> platformDelta = new ArrayList<>(provided);
        platformDelta.addAll(delta);
        assertEquals(
                Map.of(),
                missingClasses(platform, platformDelta),
                "classes named by the project but absent from the platform jar, the cluster's and Delta's jars");

        Path work = ROOT.resolve("jobs/target/it-work/platform-jar");
        clear(work);
        String wh = work.resolve("wh").toString();
        String master = "local[2]";
        List<String> args = List.of(
                "make-sample",
                "--out",
                work.resolve("sample").toString(),
                "--count",
                "4",
                "--then",
                "ingest",
                "--source",
                work.resolve("sample").toString(),
                "--manifest",
                work.resolve("sample/manifest.csv").toString(),
                "--warehouse",
                wh,
                "--master",
                master,
                "--then",
                "explain",
                "--warehouse",
                wh,
                "--model",
                ROOT.resolve("models/fmnist-loc-cnn").toString(),
                "--methods",
                "gradient",
                "--master",
                master,
                "--then",
                "sql",
                "--warehouse",
                wh,
                "--query",
                "SELECT COUNT(*) AS n FROM explanations",
                "--master",
                master);
        String cp = String.join(
                File.pathSeparator,
                platform.toString(),
                String.join(File.pathSeparator, platformDelta),
                ROOT.resolve("jobs/target/test-classes").toString());
        try (Child c = commands("platform-jar", cp, args)) {
            int code = c.awaitExit(Duration.ofMinutes(5));
            String out = c.output();
            assertEquals(0, code, out);
            assertTrue(out.contains("[jar-commands] Main from file:" + platform), out);
            assertTrue(Files.isDirectory(work.resolve("wh/explanations/_delta_log")), out);
        }
    }

    /** The classes a project class in {@code jar} names that neither the jar, {@code classpath} nor the JDK has. */
    static Map<String, Set<String>> missingClasses(Path jar, List<String> classpath) throws IOException {
        Set<String> available = new HashSet<>();
        Map<String, Set<String>> wanted = new TreeMap<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (ZipEntry e : z.stream().toList()) {
                available.add(e.getName());
                if (e.getName().startsWith("io/xaiscale/") && e.getName().endsWith(".class")) {
                    try (InputStream in = z.getInputStream(e)) {
                        for (String c : referencedClasses(in)) {
                            wanted.computeIfAbsent(c, k -> new TreeSet<>()).add(e.getName());
                        }
                    }
                }
            }
        }
        assertTrue(wanted.size() > 500, "the project's classes were read: " + wanted.size());
        for (String p : classpath) {
            if (p.endsWith(".jar") && Files.isRegularFile(Path.of(p))) {
                try (ZipFile z = new ZipFile(p)) {
                    z.stream().map(ZipEntry::getName).forEach(available::add);
                }
            }
        }
        ClassLoader jdk = ClassLoader.getPlatformClassLoader();
        Map<String, Set<String>> missing = new TreeMap<>();
        wanted.forEach((c, from) -> {
            if (!available.contains(c + ".class") && jdk.getResource(c + ".class") == null) {
                missing.put(c, from);
            }
        });
        return missing;
    }

    /** What the report copies into every report folder, and the notebooks it runs. */
    @Test
    void theReportsResourcesAreInTheJar() throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (String r : List.of(
                    "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js",
                    "report/report.css",
                    "report/report.js",
                    "report/page.ftlh",
                    "freemarker/template/Template.class",
                    "notebooks-sql/leaderboard.sql")) {
                assertNotNull(z.getEntry(r), r + " in the job jar");
            }
            List<String> echarts = z.stream()
                    .map(ZipEntry::getName)
                    .filter(n -> n.startsWith("META-INF/resources/webjars/echarts/") && !n.endsWith("/"))
                    .toList();
            assertEquals(
                    List.of("META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js"),
                    echarts,
                    "one file of the WebJar");
        }
    }

    static Child main(String name, String... args) throws IOException {
        String cp = ClusterS3IT.jobJarClasspath();
        List<String> jvm = new ArrayList<>(
                List.of(System.getProperty("xai.sparkFlags").trim().split("\\s+")));
        jvm.add("-Dai.djl.offline=true");
        return Child.java(name, LOGS, jvm, cp, "io.xaiscale.jobs.Main", List.of(args), Map.of(), ROOT);
    }

    /** Commands of the jar's Main run one after the other in one JVM ({@link JarCommands}). */
    static Child jarCommands(String name, List<String> args, String... moreJvm) throws IOException {
        String cp = ClusterS3IT.jobJarClasspath() + File.pathSeparator + ROOT.resolve("jobs/target/test-classes");
        return commands(name, cp, args, moreJvm);
    }

    static Child commands(String name, String classpath, List<String> args, String... moreJvm) throws IOException {
        List<String> jvm = new ArrayList<>(
                List.of(System.getProperty("xai.sparkFlags").trim().split("\\s+")));
        jvm.add("-Dai.djl.offline=true");
        jvm.add("-Dai.djl.pytorch.num_threads=1");
        jvm.add("-Dlog4j2.configurationFile=" + ROOT.resolve("conf/log4j2.properties"));
        jvm.addAll(List.of(moreJvm));
        return Child.java(
                name,
                LOGS,
                jvm,
                classpath,
                "io.xaiscale.jobs.it.JarCommands",
                args,
                Map.of("SPARK_LOCAL_IP", "127.0.0.1", "OMP_NUM_THREADS", "1"),
                ROOT);
    }

    static void clear(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Every command the jar's Main lists answers --help from the jar (exit 0, its options). */
    @Test
    void everyCommandOfMainAnswersHelpFromTheJar() throws Exception {
        String listing;
        try (Child help = main("help", "help")) {
            assertEquals(0, help.awaitExit(Duration.ofMinutes(1)), help.tail());
            listing = help.output();
        }
        List<String> commands = listing.lines()
                .filter(l -> l.matches("  [a-z][a-z-]+ +.*"))
                .map(l -> l.strip().split(" +")[0])
                .filter(c -> !c.equals("bench")
                        && !c.equals("completion")) // not commands of Main: the bench module's, picocli's
                .toList();
        assertTrue(commands.containsAll(List.of("pipeline", "audit", "report", "sql", "register", "demo")), listing);
        assertEquals(21, commands.size(), "the commands of Main: " + commands);
        // every command's help in one JVM of the jar (JarCommands: Main.run per command, a marker line after each)
        List<String> args = new ArrayList<>();
        for (String c : commands) {
            if (!args.isEmpty()) {
                args.add("--then");
            }
            args.addAll(List.of(c, "--help"));
        }
        String out;
        try (Child h = jarCommands("help-each", args)) {
            assertEquals(0, h.awaitExit(Duration.ofMinutes(3)), h.tail());
            out = h.output();
        }
        int from = 0;
        for (String c : commands) {
            String marker = "[jar-commands] " + c + " exit 0";
            int at = out.indexOf(marker, from);
            assertTrue(at >= 0, c + " answered --help with exit 0:\n" + out.substring(from));
            String help = out.substring(from, at);
            assertTrue(help.lines().anyMatch(l -> l.startsWith(c + ": ")), c + ":\n" + help);
            assertTrue(help.contains("--"), c + " lists its options:\n" + help);
            from = at + marker.length();
        }
    }

    /**
     * Every command that writes, run from the job jar on a Spark distribution's jars (local mode, one
     * JVM for the chain): each writes what it says. The pipeline, explain, audit with its report and sql
     * run through spark-submit on a standalone cluster in {@link ClusterS3IT}, and audits in
     * {@link CleverHansIT}.
     */
    @Test
    void everyCommandThatWritesRunsFromTheJar() throws Exception {
        Path work = ROOT.resolve("jobs/target/it-work/jar-commands");
        clear(work);
        String wh = work.resolve("wh").toString();
        String model = ROOT.resolve("models/fmnist-loc-cnn").toString();
        String master = "local[2]";
        List<String> args = new ArrayList<>();
        Consumer<List<String>> then = c -> {
            if (!args.isEmpty()) {
                args.add("--then");
            }
            args.addAll(c);
        };
        then.accept(List.of("make-sample", "--out", work.resolve("sample").toString(), "--count", "6"));
        then.accept(List.of(
                "ingest",
                "--source",
                work.resolve("sample").toString(),
                "--manifest",
                work.resolve("sample/manifest.csv").toString(),
                "--warehouse",
                wh,
                "--master",
                master));
        then.accept(List.of(
                "explain",
                "--warehouse",
                wh,
                "--model",
                model,
                "--methods",
                "gradient,grad_cam",
                "--batch-size",
                "4",
                "--master",
                master));
        then.accept(List.of(
                "evaluate",
                "--warehouse",
                wh,
                "--model",
                model,
                "--metrics",
                "iou,deletion_auc[steps=4]",
                "--agreement",
                "false",
                "--master",
                master));
        then.accept(List.of("agreement", "--warehouse", wh, "--model", model, "--master", master));
        then.accept(List.of(
                "overlays",
                "--warehouse",
                wh,
                "--model",
                model,
                "--out",
                work.resolve("overlays").toString(),
                "--count",
                "2",
                "--master",
                master));
        then.accept(List.of(
                "export",
                "--warehouse",
                wh,
                "--model",
                model,
                "--out",
                work.resolve("export").toString(),
                "--limit",
                "2",
                "--master",
                master));
        then.accept(List.of(
                "report",
                "--warehouse",
                wh,
                "--model",
                model,
                "--out",
                work.resolve("report").toString(),
                "--master",
                master));
        then.accept(List.of("mosaics", "--warehouse", wh, "--per-class", "1", "--tile", "32", "--master", master));
        then.accept(List.of(
                "uncertainty",
                "--warehouse",
                wh,
                "--model",
                ROOT.resolve("models/fmnist-loc-cnn-dropout").toString(),
                "--passes",
                "2",
                "--master",
                master));
        then.accept(List.of("predict", "--warehouse", wh, "--top-k", "2", "--master", master));
        then.accept(List.of(
                "dissect",
                "--warehouse",
                wh,
                "--model",
                model,
                "--sample-images",
                "8",
                "--out",
                work.resolve("dissection").toString(),
                "--master",
                master));
        then.accept(List.of(
                "visualise",
                "--warehouse",
                wh,
                "--model",
                model,
                "--units",
                "0-1",
                "--visualisation",
                "activation_max[steps=2]",
                "--out",
                work.resolve("units").toString(),
                "--master",
                master));
        then.accept(List.of(
                "filters", "--model", model, "--out", work.resolve("filters").toString()));
        then.accept(List.of(
                "train",
                "--out",
                work.resolve("trained").toString(),
                "--train-images",
                "100",
                "--test-images",
                "100",
                "--epochs",
                "1"));
        then.accept(List.of("maintain", "--warehouse", wh, "--vacuum-hours", "0", "--master", master));
        then.accept(List.of(
                "register",
                "--warehouse",
                wh,
                "--database",
                "jar_test",
                "--metastore",
                work.resolve("metastore").toString(),
                "--master",
                master));
        then.accept(List.of(
                "sql", "--warehouse", wh, "--query", "SELECT COUNT(*) AS n FROM explanations", "--master", master));
        String out;
        try (Child c = jarCommands("jar-commands", args, Child.FULL_JIT)) { // every command: a minute of work
            int code = c.awaitExit(Duration.ofMinutes(12));
            out = c.output();
            assertEquals(0, code, out.length() > 20000 ? out.substring(out.length() - 20000) : out);
        }
        assertTrue(out.contains("[jar-commands] Main from file:" + jar), "Main came from the job jar:\n" + out);
        for (String f : List.of(
                "sample/manifest.csv",
                "overlays/index.html",
                "export/maps.npz",
                "report/index.html",
                "report/assets/echarts.min.js",
                "trained/model.json",
                "metastore")) {
            assertTrue(Files.exists(work.resolve(f)), f + " written:\n" + out);
        }
        for (String t : List.of(
                "images",
                "explanations",
                "metrics",
                "method_agreement",
                "uncertainty",
                "predictions",
                "unit_dissection",
                "unit_visualisations")) {
            assertTrue(Files.isDirectory(work.resolve("wh").resolve(t).resolve("_delta_log")), t + " table:\n" + out);
        }
        try (Stream<Path> s = Files.list(work.resolve("filters"))) {
            assertTrue(s.anyMatch(p -> p.toString().endsWith(".png")), "filters drew kernels");
        }
    }
}
