package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.spark.ModelFiles;
import io.xaiscale.jobs.spark.Sessions;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.ModelCard;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** {@code xai evaluate}: the metrics table for the explanations of a model. */
public final class EvaluateCommand implements Command {
    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "score every explanation with every metric (Spark), MERGE into the metrics table";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())))
                .add(
                        "metrics",
                        Metrics.DEFAULT_METRICS,
                        "metrics, e.g. 'iou[threshold=fraction_of_max,value=0.5]' (valid: "
                                + String.join(", ", Metrics.names()) + ")");
    }

    static EvaluateJob.Settings settings(Options o) throws Exception {
        String model = ModelFiles.qualify(o.get("model"));
        ModelCard card = ModelCard.read(ModelFiles.localize(model, ModelFiles.driverConf()));
        List<String> specs = Metrics.listFromString(o.get("metrics")).stream()
                .map(Metric::spec)
                .toList();
        return new EvaluateJob.Settings(
                o.get("warehouse"),
                model,
                card.key(),
                specs,
                o.getInt("batch-size", 1, 4096),
                o.getInt("internal-batch-size", 1, 65536),
                o.getInt("partitions", 0, 100000),
                o.getInt("commit-every", 1, Integer.MAX_VALUE));
    }

    @Override
    public void run(Options o) throws Exception {
        EvaluateJob.Settings s = settings(o);
        SparkSession spark = Sessions.create("xai-evaluate", o.get("master"));
        try {
            EvaluateJob.Result r = EvaluateJob.run(spark, s);
            System.out.printf("[evaluate] %d new metric row(s) in %.1fs%n", r.inserted(), r.seconds());
        } finally {
            spark.stop();
        }
    }
}
