package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.image.SampleFolder;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code xai make-sample}: writes the shipped sample ({@code data/sample}): canvases of the
 * Fashion-MNIST localisation benchmark as PNG files with a CSV manifest, plus one truncated file so
 * the demo shows how a bad image is kept as a row with an error.
 */
public final class SampleCommand implements Command {
    @Override
    public String name() {
        return "make-sample";
    }

    @Override
    public String summary() {
        return "write PNG canvases of the Fashion-MNIST benchmark + manifest.csv (the shipped data/sample)";
    }

    @Override
    public Options options() {
        return new Options(name())
                .path("out", "data/sample", "output folder")
                .add("count", "48", "number of canvases")
                .path("fashion-mnist", FashionMnist.DEFAULT_DIR.toString(), "directory of the Fashion-MNIST idx files")
                .add("split", "test", "Fashion-MNIST split the items come from")
                .add("seed", "2026", "seed of the canvas generator")
                .flag("no-corrupt", "do not add the deliberately truncated file")
                .add(
                        "watermark-class",
                        "-1",
                        "a bright corner mark on every canvas of this class (-1: none), as train's");
    }

    @Override
    public void run(Options o) throws Exception {
        Path out = Path.of(o.get("out"));
        String split = o.getChoice("split", List.of("train", "test"));
        LocalizationBenchmark bench = new LocalizationBenchmark(
                FashionMnist.read(Path.of(o.get("fashion-mnist")), split),
                LocalizationBenchmark.DEFAULT_CANVAS,
                o.getLong("seed"),
                o.getInt("watermark-class", -1, 9));
        int count = o.getInt("count", 1, 100000);
        boolean corrupt = !o.getFlag("no-corrupt");
        SampleFolder.write(bench, out, split, count, corrupt);
        System.out.printf(
                "[make-sample] %d canvases%s + manifest.csv in %s%n",
                count, corrupt ? " + truncated.png" : "", out.toAbsolutePath());
    }
}
