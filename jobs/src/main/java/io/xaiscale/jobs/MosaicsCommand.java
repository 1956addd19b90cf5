package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.ingest.Mosaics;

/** {@code xai mosaics}: the 2 x 2 mosaics of the focus metric, as images of split {@code mosaic}. */
public final class MosaicsCommand implements Command {
    @Override
    public String name() {
        return "mosaics";
    }

    @Override
    public String summary() {
        return "build 2x2 mosaics (two tiles of a class, two of others) for the focus metric, split 'mosaic'";
    }

    @Override
    public Options options() {
        return Defaults.spark(new Options(name()))
                .add("per-class", "10", "mosaics per class")
                .add("tile", "64", "side of each tile in pixels (a mosaic is twice that)")
                .add("seed", "0", "seed of the choice of images and of their positions");
    }

    @Override
    public void run(Options o) throws Exception {
        withSession(o, spark -> {
            long n = Mosaics.build(
                    spark,
                    o.get("warehouse"),
                    o.getInt("per-class", 1, 100_000),
                    o.getInt("tile", 8, 4096),
                    o.getLong("seed"));
            System.out.printf(
                    "[mosaics] %d new mosaic image(s) of split '%s'; next: xai explain --splits %s, then xai evaluate"
                            + " --metrics focus%n",
                    n, Mosaics.SPLIT, Mosaics.SPLIT);
        });
    }
}
