package io.xaiscale.jobs.report;

import static org.apache.spark.sql.functions.col;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.overlay.OverlayJob;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import io.xaiscale.util.FileNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the pages of one report share while it is written: the session, the settings, the warehouse's
 * tables, the notebooks run (copied to {@code sql/} at the end) and the drawn images (each drawn once,
 * whichever page asks first). The pages are built at once, each on a thread of its own: what they share
 * is safe to use from several.
 */
final class ReportRun {
    private final SparkSession spark;
    private final Report.Settings s;
    private final List<String> tables;
    private final Map<String, ModelCard> cards = new LinkedHashMap<>();
    private final Set<String> notebooks = Collections.synchronizedSet(new LinkedHashSet<>());

    ReportRun(SparkSession spark, Report.Settings s, List<String> tables) {
        this.spark = spark;
        this.s = s;
        this.tables = tables;
        s.cards().forEach(c -> cards.put(c.key(), c));
    }

    SparkSession spark() {
        return spark;
    }

    Report.Settings settings() {
        return s;
    }

    List<String> tables() {
        return tables;
    }

    /** The notebooks whose statements ran. */
    List<String> notebooks() {
        synchronized (notebooks) {
            return List.copyOf(notebooks);
        }
    }

    /** Each statement's result, computed once whichever pages ask (the overview and the methods page share one). */
    private final ConcurrentMap<Query, FutureTask<Query.Result>> results = new ConcurrentHashMap<>();

    /**
     * Runs a notebook statement once per report (a page that asks while another computes it waits for
     * that result), keeps the notebook for the report's {@code sql/} folder (any thread).
     */
    Query.Result run(String file, int statement) {
        notebooks.add(file);
        Query q = new Query(file, statement);
        FutureTask<Query.Result> mine = new FutureTask<>(() -> q.run(spark));
        FutureTask<Query.Result> task = results.putIfAbsent(q, mine);
        if (task == null) {
            task = mine;
            task.run();
        }
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + file + " ran", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Writes rows as a CSV in {@code data/} (a name unique in the report); returns its link. */
    String csv(String name, Query.Result r) throws IOException {
        String file = "data/" + FileNames.safe(name) + ".csv";
        Files.writeString(s.out().resolve(file), r.csv(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Overlay grids of {@code ids} for {@code model} (a model key), drawn once per image on the
     * original image, signed maps on the diverging scale and non-negative (CAM-style) ones as jet of
     * their magnitude; a note when the model's card was not given.
     */
    synchronized List<Map<String, Object>> images(String model, List<String> ids) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        ModelCard card = cards.get(model);
        List<String> chosen = ids.subList(0, Math.min(s.gallery(), ids.size()));
        if (card == null) {
            for (String id : chosen) {
                out.add(Charts.map(
                        "src",
                        "",
                        "caption",
                        id.substring(0, Math.min(16, id.length())) + " (give --model with the card of " + model
                                + " to draw it)"));
            }
            return out;
        }
        Path dir = s.out().resolve("img").resolve(FileNames.safe(model));
        List<String> missing = new ArrayList<>();
        for (String id : chosen) {
            if (!Files.exists(dir.resolve(id.substring(0, 16) + ".png"))) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            Dataset<Row> expl = DeltaIO.read(spark, s.warehouse(), Tables.EXPLANATIONS)
                    .where(Tables.ofModel(card)
                            .and(col("error").isNull())
                            .and(col("target_rule").equalTo("predicted"))
                            .and(col("image_id").isin(missing.toArray())));
            OverlayJob.draw(spark, s.warehouse(), card, expl, dir, 2, Overlay.Colors.AUTO, Overlay.View.ORIGINAL);
        }
        for (String id : chosen) {
            Path f = dir.resolve(id.substring(0, 16) + ".png");
            out.add(Charts.map(
                    "src",
                    Files.exists(f) ? s.out().relativize(f).toString().replace('\\', '/') : "",
                    "caption",
                    id.substring(0, 16)));
        }
        return out;
    }
}
