package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.overlay.OverlayJob;
import io.xaiscale.jobs.report.Report;
import io.xaiscale.jobs.session.SqlRunner;
import io.xaiscale.jobs.stage.Stage;
import io.xaiscale.model.ModelCard;
import io.xaiscale.render.Overlay;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code xai demo}: the whole pipeline on the embedded defaults: ingest the shipped sample images,
 * explain them with every method, evaluate, print the leaderboard, draw overlays, write the report.
 */
public final class DemoCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "ingest -> explain -> evaluate -> leaderboard -> overlays -> report on the shipped sample and model";
    }

    @Override
    public Options options() {
        Options o = PipelineCommand.declare(Defaults.model(Defaults.spark(new Options(name()))))
                .path("source", "data/sample", "folder of images to ingest")
                .path("overlays", "overlays", "output folder of the overlays")
                .add("overlay-count", "6", "number of images drawn")
                .path("report", "report", "output folder of the HTML report (index.html opens offline)");
        return o.path("manifest", "data/sample/manifest.csv", "manifest of labels and boxes")
                .add("split", "sample", "split of the sample");
    }

    @Override
    public void run(Options o) throws Exception {
        Plan plan = Plan.of(o);
        List<Stage> stages = PipelineCommand.stages(o, plan);
        ModelCard card = plan.card();
        String warehouse = o.get("warehouse");
        withSession(o, spark -> {
            PipelineCommand.runStages(spark, o, plan.card().classes(), stages);
            SqlRunner.registerViews(spark, warehouse);
            System.out.println("[leaderboard] notebooks-sql/leaderboard.sql");
            SqlRunner.run(spark, Path.of("notebooks-sql/leaderboard.sql")).show(100, false);
            System.out.println("[errors] rows that carry an error (nothing is dropped):");
            SqlRunner.run(spark, Path.of("notebooks-sql/errors.sql")).show(20, false);
            List<Path> files = OverlayJob.render(
                    spark,
                    warehouse,
                    card,
                    Path.of(o.get("overlays")),
                    o.getInt("overlay-count", 0, 10000),
                    3,
                    Overlay.Colors.MAGNITUDE,
                    Overlay.View.INPUT);
            long t0 = System.nanoTime();
            Path report = Path.of(o.get("report"));
            List<Path> pages = Report.write(spark, new Report.Settings(warehouse, report, List.of(card), 4));
            System.out.printf(
                    "%n[demo] Delta tables: %s/{images,explanations,metrics,method_agreement}%n",
                    Path.of(warehouse).toAbsolutePath());
            System.out.printf(
                    "[demo] report: %d page(s) in %.1f s: open %s%n",
                    pages.size(),
                    (System.nanoTime() - t0) / 1e9,
                    report.toAbsolutePath().resolve("index.html"));
            System.out.printf(
                    "[demo] overlays: %d grid(s) in %s (open index.html)%n",
                    files.size(), Path.of(o.get("overlays")).toAbsolutePath());
            System.out.println("[demo] more SQL: ./xai sql   (runs every notebooks-sql/*.sql)");
        });
    }
}
