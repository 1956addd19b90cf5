package io.xaiscale.jobs;

import io.xaiscale.config.Options;

/** Options shared by the Spark commands, with the embedded defaults of the demo. */
final class Defaults {
    static final String WAREHOUSE = "warehouse";
    static final String MODEL = "models/fmnist-loc-cnn";
    static final String MASTER = "local[2]";

    private Defaults() {}

    static Options spark(Options o) {
        return o.path("warehouse", WAREHOUSE, "root of the Delta tables (local directory or s3a:// prefix)")
                .add("master", MASTER, "Spark master when not run by spark-submit");
    }

    static Options model(Options o) {
        return o.path("model", MODEL, "model directory (model.json + weights), local or s3a://")
                .add("batch-size", "16", "images per batch on an executor")
                .add(
                        "internal-batch-size",
                        "64",
                        "max samples per model pass inside a method (IG steps, occlusion windows, ...)")
                .add("partitions", "0", "partitions of each commit's work (0: up to 4 per core, at most one per batch)")
                .add(
                        "commit-every",
                        "20000",
                        "rows computed per Delta commit: a crash loses at most one commit's work");
    }
}
