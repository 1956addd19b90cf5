package io.xaiscale.jobs.report;

import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.Row;

/** {@code worst.html}: for each metric, the best method's worst images. */
final class WorstPage extends ReportPage {
    WorstPage(ReportRun report) {
        super(report);
    }

    @Override
    Page build() throws IOException {
        Page p = new Page(
                "worst.html",
                "Worst cases",
                "For each metric, the method ranked first and the images where it does worst: where even the best"
                        + " explanation fails.");
        Query.Result r = run("worst_cases.sql", 0);
        String file = csv("worst-cases", r);
        int n = 0;
        for (var g : group(r, "model_id", "model_version", "metric", "metric_params", "target_rule")
                .entrySet()) {
            List<Row> rows = g.getValue();
            String model = model(r, rows.get(0));
            List<String> ids = rows.stream().map(x -> r.string(x, "image_id")).toList();
            List<String> cols = List.of("worst", "image_id", "value");
            p.section("worst-" + (n++), g.getKey(), "best method: " + r.string(rows.get(0), "method_spec"))
                    .table(
                            "Its worst images",
                            cols,
                            cells(new Query.Result(r.query(), r.columns(), rows, false), cols),
                            file,
                            r.query())
                    .gallery("Overlays (every method of the model)", null, images(model, ids));
        }
        return p;
    }
}
