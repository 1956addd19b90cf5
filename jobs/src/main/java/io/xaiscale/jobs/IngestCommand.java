package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.model.ModelCard;
import java.util.List;

/** {@code xai ingest}: image files or the Fashion-MNIST localisation benchmark into the images table. */
public final class IngestCommand implements Command {
    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String summary() {
        return "write the images table from a folder / s3a:// prefix (+ manifest) or the Fashion-MNIST benchmark";
    }

    @Override
    public Options options() {
        return Defaults.files(Defaults.spark(new Options(name())))
                .path("source", "", "folder or s3a:// prefix of PNG/JPEG/GIF/BMP files (recursive)")
                .path(
                        "model",
                        "",
                        "model directory whose classes the manifest's labels are checked against (blank: labels >= 0)")
                .add("benchmark", "0", "number of Fashion-MNIST localisation canvases to generate (0: none)")
                .path("fashion-mnist", FashionMnist.DEFAULT_DIR.toString(), "directory of the Fashion-MNIST idx files")
                .add("fashion-mnist-items", "0", "number of plain 28x28 Fashion-MNIST items to ingest (0: none)")
                .add(
                        "benchmark-split",
                        "test",
                        "Fashion-MNIST split the canvases (and plain items) come from (train, test)")
                .add("canvas", "64", "canvas side in pixels")
                .add("seed", "42", "seed of the canvas generator")
                .add("partitions", "0", "partitions of the generator (0: Spark's default parallelism)");
    }

    @Override
    public void run(Options o) throws Exception {
        String source = o.get("source");
        int benchmark = o.getInt("benchmark", 0, 10_000_000);
        int items = o.getInt("fashion-mnist-items", 0, 60000);
        if (source.isBlank() && benchmark == 0 && items == 0) {
            throw new IllegalArgumentException(
                    "Nothing to ingest: give --source DIR, --benchmark N and/or --fashion-mnist-items N");
        }
        // every value checked before Spark starts
        int partitions = o.getInt("partitions", 0, 100000);
        String split = o.getChoice("benchmark-split", List.of("train", "test"));
        int canvas = o.getInt("canvas", 28, 4096);
        long seed = o.getLong("seed");
        List<String> classes = o.get("model").isBlank()
                ? null
                : ModelCard.read(ModelFiles.localize(ModelFiles.qualify(o.get("model")), ModelFiles.driverConf()))
                        .classes();
        IngestJob.Files files = Defaults.files(o, classes);
        withSession(o, spark -> {
            if (!source.isBlank()) {
                IngestJob.ingestFiles(spark, o.get("warehouse"), files).lines().forEach(System.out::println);
            }
            if (benchmark > 0) {
                long n = IngestJob.ingestBenchmark(
                        spark,
                        o.get("warehouse"),
                        o.get("fashion-mnist"),
                        split,
                        benchmark,
                        canvas,
                        seed,
                        partitions > 0 ? partitions : spark.sparkContext().defaultParallelism());
                System.out.printf("[ingest] Fashion-MNIST benchmark: %d new image row(s)%n", n);
            }
            if (items > 0) {
                long n = IngestJob.ingestRawFashionMnist(
                        spark,
                        o.get("warehouse"),
                        o.get("fashion-mnist"),
                        split,
                        items,
                        spark.sparkContext().defaultParallelism());
                System.out.printf("[ingest] Fashion-MNIST items: %d new image row(s)%n", n);
            }
        });
    }
}
