package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainers;
import io.xaiscale.jobs.spark.ModelFiles;
import io.xaiscale.jobs.spark.Sessions;
import io.xaiscale.model.ModelCard;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** {@code xai explain}: the explanations table for a model and a list of methods. */
public final class ExplainCommand implements Command {
    @Override
    public String name() {
        return "explain";
    }

    @Override
    public String summary() {
        return "explain every image with every method (Spark), MERGE into the explanations table";
    }

    @Override
    public Options options() {
        return Defaults.model(Defaults.spark(new Options(name())))
                .add(
                        "methods",
                        Explainers.DEFAULT_METHODS,
                        "methods, e.g. 'gradient,integrated_gradients[steps=64]' (valid: "
                                + String.join(", ", Explainers.names()) + ")")
                .add("target", "predicted", "class to explain: predicted or label");
    }

    /** Settings from options, validated on the driver before Spark starts. */
    static ExplainJob.Settings settings(Options o) throws Exception {
        String model = ModelFiles.qualify(o.get("model"));
        ModelCard card = ModelCard.read(ModelFiles.localize(model, ModelFiles.driverConf()));
        List<String> specs = Explainers.listFromString(o.get("methods")).stream()
                .map(e -> e.spec())
                .toList();
        ExplainJob.Settings s = new ExplainJob.Settings(
                o.get("warehouse"),
                model,
                card.key(),
                specs,
                o.get("target"),
                o.getInt("batch-size", 1, 4096),
                o.getInt("internal-batch-size", 1, 65536),
                o.getInt("partitions", 0, 100000),
                o.getInt("commit-every", 1, Integer.MAX_VALUE));
        ExplainJob.validate(s, Explainers.listFromString(o.get("methods")), card);
        return s;
    }

    @Override
    public void run(Options o) throws Exception {
        ExplainJob.Settings s = settings(o);
        SparkSession spark = Sessions.create("xai-explain", o.get("master"));
        try {
            ExplainJob.Result r = ExplainJob.run(spark, s);
            System.out.printf("[explain] %d new explanation row(s) in %.1fs%n", r.inserted(), r.seconds());
        } finally {
            spark.stop();
        }
    }
}
