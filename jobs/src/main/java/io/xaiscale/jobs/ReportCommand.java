package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.config.Spec;
import io.xaiscale.jobs.report.Destination;
import io.xaiscale.jobs.report.Report;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.model.ModelCard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code xai report}: a self-contained HTML report of a warehouse ({@link Report}). */
public final class ReportCommand implements Command {
    @Override
    public String name() {
        return "report";
    }

    @Override
    public String summary() {
        return "write a self-contained HTML report of the warehouse (charts, findings, galleries; opens offline)";
    }

    @Override
    public Options options() {
        return Defaults.spark(new Options(name()))
                .add(
                        "model",
                        Defaults.MODEL,
                        "model directories (comma-separated) whose cards draw the galleries' overlays; other models'"
                                + " images are listed, not drawn")
                .path(
                        "out",
                        "report",
                        "output folder (index.html and what it links to), local or a URI such as s3a://bucket/reports/x"
                                + " (built on the driver, then copied there)")
                .add("gallery", "4", "images per gallery (a finding's evidence, a metric's worst cases)");
    }

    @Override
    public void run(Options o) throws Exception {
        List<ModelCard> cards = new ArrayList<>();
        for (String dir : Spec.items(o.get("model"))) {
            cards.add(ModelCard.read(ModelFiles.localize(dir, ModelFiles.driverConf())));
        }
        int gallery = o.getInt("gallery", 0, 50);
        Destination out = Destination.of(o.get("out"));
        withSession(o, spark -> {
            long t0 = System.nanoTime();
            List<Path> pages =
                    Report.write(spark, new Report.Settings(o.get("warehouse"), out.folder(), cards, gallery));
            String index = out.publish(spark.sparkContext().hadoopConfiguration());
            System.out.printf(
                    "[report] %d page(s) in %.1f s (open %s)%n", pages.size(), (System.nanoTime() - t0) / 1e9, index);
        });
    }
}
