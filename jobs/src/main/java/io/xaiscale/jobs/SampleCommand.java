package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.image.LocalizationBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
        Files.createDirectories(out);
        String split = o.getChoice("split", List.of("train", "test"));
        LocalizationBenchmark bench = new LocalizationBenchmark(
                FashionMnist.read(Path.of(o.get("fashion-mnist")), split),
                LocalizationBenchmark.DEFAULT_CANVAS,
                o.getLong("seed"),
                o.getInt("watermark-class", -1, 9));
        int count = o.getInt("count", 1, 100000);
        StringBuilder manifest = new StringBuilder("path,label,label_name,x0,y0,x1,y1,split\n");
        for (int i = 0; i < count; i++) {
            LocalizationBenchmark.Sample s = bench.sample(i);
            String name = String.format("fmnist-loc-%s-%05d.png", split, i);
            Files.write(out.resolve(name), ImageCodec.greyPng(s.pixels(), s.side(), s.side()));
            manifest.append(String.format(
                    "%s,%d,%s,%d,%d,%d,%d,%s%n",
                    name,
                    s.label(),
                    FashionMnist.CLASS_NAMES.get(s.label()),
                    s.box().x0(),
                    s.box().y0(),
                    s.box().x1(),
                    s.box().y1(),
                    split));
        }
        if (!o.getFlag("no-corrupt")) {
            LocalizationBenchmark.Sample s = bench.sample(count);
            byte[] png = ImageCodec.greyPng(s.pixels(), s.side(), s.side());
            Files.write(out.resolve("truncated.png"), Arrays.copyOf(png, png.length / 3));
            manifest.append(String.format(
                    "truncated.png,%d,%s,%d,%d,%d,%d,%s%n",
                    s.label(),
                    FashionMnist.CLASS_NAMES.get(s.label()),
                    s.box().x0(),
                    s.box().y0(),
                    s.box().x1(),
                    s.box().y1(),
                    split));
        }
        Files.writeString(out.resolve("manifest.csv"), manifest.toString());
        System.out.printf(
                "[make-sample] %d canvases%s + manifest.csv in %s%n",
                count, o.getFlag("no-corrupt") ? "" : " + truncated.png", out.toAbsolutePath());
    }
}
