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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
        for (String p : provided) {
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
        assertEquals(
                Map.of(), missing, "classes named by the project but absent from the job jar and the cluster's jars");
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
                .filter(c -> !c.equals("bench")) // the bench module's launcher entry, outside the jar
                .toList();
        assertTrue(commands.containsAll(List.of("pipeline", "audit", "report", "sql", "register", "demo")), listing);
        assertEquals(20, commands.size(), "the commands of Main: " + commands);
        for (String c : commands) {
            try (Child h = main("help-" + c, c, "--help")) {
                assertEquals(0, h.awaitExit(Duration.ofMinutes(1)), c + ":\n" + h.tail());
                assertTrue(h.output().lines().anyMatch(l -> l.startsWith(c + ": ")), c + ":\n" + h.tail());
                assertTrue(h.output().contains("--"), c + " lists its options:\n" + h.tail());
            }
        }
    }
}
