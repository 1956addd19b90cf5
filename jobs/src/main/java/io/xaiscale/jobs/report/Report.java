package io.xaiscale.jobs.report;

import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.model.ModelCard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.SparkSession;

/**
 * A self-contained HTML report of a warehouse, from its Delta tables alone: {@code index.html}
 * (overview and findings), {@code leaderboard.html}, {@code classes.html}, {@code methods.html},
 * {@code versions.html}, {@code models.html}, {@code worst.html}, with ECharts (copied from its WebJar into
 * {@code assets/}), one CSV per chart or table in {@code data/} and the notebooks that computed them
 * in {@code sql/}. Opening it makes no network request. Every number comes from a statement of a
 * notebook in {@code notebooks-sql/} (aggregated by Spark, so the report's size does not grow with
 * the tables); images are drawn only for galleries (at most {@code gallery} per finding or metric),
 * for the models whose card is given.
 */
public final class Report {
    public static final List<String> PAGES = List.of(
            "index.html",
            "leaderboard.html",
            "classes.html",
            "methods.html",
            "versions.html",
            "models.html",
            "worst.html");

    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    static final int MAX_CLASSES = 30;

    /** Where to read and write, the cards of the models to draw, and images per gallery. */
    public record Settings(String warehouse, Path out, List<ModelCard> cards, int gallery) {}

    private Report() {}

    /** Writes the report; returns its pages. */
    public static List<Path> write(SparkSession spark, Settings s) throws IOException {
        List<String> tables = SqlRunner.registerViews(spark, s.warehouse());
        if (!tables.contains(Tables.EXPLANATIONS.name())) {
            throw new IllegalArgumentException("No explanations table in " + s.warehouse()
                    + ": run explain (or pipeline, or audit) on this warehouse first");
        }
        for (String d : List.of("data", "sql", "img")) {
            Files.createDirectories(s.out().resolve(d));
        }
        assets(s.out());
        ReportRun run = new ReportRun(spark, s, tables);
        List<Page> pages = build(List.of(
                new OverviewPage(run),
                new LeaderboardPage(run),
                new ClassesPage(run),
                new MethodsPage(run),
                new VersionsPage(run),
                new ModelsPage(run),
                new WorstPage(run)));
        List<Path> out = new ArrayList<>();
        for (Page p : pages) {
            out.add(render(p, pages, s.warehouse(), s.out()));
        }
        for (String n : run.notebooks()) {
            Files.writeString(s.out().resolve("sql").resolve(n), Query.text(n));
        }
        return out;
    }

    /**
     * Pages built at once: their queries run as concurrent Spark jobs, so planning, Delta log reads and
     * the driver's waits overlap: as many as the driver has cores, at most 4 (system property {@code
     * xai.report.threads}; 1: one page after another). On the 2-core machines of the tests it gains nothing
     * measurable (docs/benchmarks.md): the report's work there is CPU-bound.
     */
    static final int PAGE_THREADS = Integer.getInteger(
            "xai.report.threads", Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** Builds {@code pages} on {@link #PAGE_THREADS} threads; their pages in order, or the first failure. */
    static List<Page> build(List<ReportPage> pages) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PAGE_THREADS, pages.size())), r -> {
            Thread t = new Thread(r, "report-page");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Page>> built = new ArrayList<>();
            double[] seconds = new double[pages.size()];
            for (int i = 0; i < pages.size(); i++) {
                ReportPage p = pages.get(i);
                int at = i;
                built.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    Page page = p.build();
                    seconds[at] = (System.nanoTime() - t0) / 1e9;
                    return page;
                }));
            }
            List<Page> out = new ArrayList<>();
            for (Future<Page> f : built) {
                out.add(f.get());
            }
            // each page's own time (pages built at once overlap: these add up to more than the report's)
            StringBuilder line = new StringBuilder("[report] pages:");
            for (int i = 0; i < out.size(); i++) {
                line.append(String.format(
                        Locale.ROOT, " %s %.1f s%s", out.get(i).file, seconds[i], i + 1 < out.size() ? "," : ""));
            }
            System.out.println(line);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the report's pages were built", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes page {@code p} (with the navigation of {@code pages}) into {@code out}. */
    static Path render(Page p, List<Page> pages, String warehouse, Path out) throws IOException {
        List<Map<String, Object>> nav = new ArrayList<>();
        for (Page q : pages) {
            nav.add(Charts.map("file", q.file, "title", q.title, "current", q == p));
        }
        Map<String, Object> model = Charts.map(
                "title",
                p.title,
                "intro",
                p.intro,
                "sections",
                p.sections,
                "nav",
                nav,
                "warehouse",
                warehouse,
                "generated",
                Instant.now().toString());
        Path file = out.resolve(p.file);
        Files.writeString(file, Html.render("page.ftlh", model));
        return file;
    }

    /** The script and style every page loads, into {@code out/assets}. */
    static void assets(Path out) throws IOException {
        Files.createDirectories(out.resolve("assets"));
        copy(ECHARTS, out.resolve("assets/echarts.min.js"));
        copy("/report/report.css", out.resolve("assets/report.css"));
        copy("/report/report.js", out.resolve("assets/report.js"));
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = Report.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
