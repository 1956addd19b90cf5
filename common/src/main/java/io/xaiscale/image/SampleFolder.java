package io.xaiscale.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Canvases of the localisation benchmark as a folder of PNG files with a CSV manifest (the shipped
 * {@code data/sample}), plus, when asked, one truncated file: the row a bad image becomes.
 */
public final class SampleFolder {
    private SampleFolder() {}

    /** The manifest's header: the columns ingest reads. */
    static final String HEADER = "path,label,label_name,x0,y0,x1,y1,split\n";

    /**
     * Writes canvases {@code 0..count-1} of {@code bench} as {@code fmnist-loc-<split>-NNNNN.png} into
     * {@code out} with {@code manifest.csv}, and canvas {@code count} cut to a third as {@code truncated.png}
     * when {@code corrupt}.
     */
    public static void write(LocalizationBenchmark bench, Path out, String split, int count, boolean corrupt)
            throws IOException {
        Files.createDirectories(out);
        StringBuilder manifest = new StringBuilder(HEADER);
        for (int i = 0; i < count; i++) {
            String name = String.format("fmnist-loc-%s-%05d.png", split, i);
            LocalizationBenchmark.Sample s = bench.sample(i);
            Files.write(out.resolve(name), ImageCodec.greyPng(s.pixels(), s.side(), s.side()));
            manifest.append(row(name, s, split));
        }
        if (corrupt) {
            LocalizationBenchmark.Sample s = bench.sample(count);
            byte[] png = ImageCodec.greyPng(s.pixels(), s.side(), s.side());
            Files.write(out.resolve("truncated.png"), Arrays.copyOf(png, png.length / 3));
            manifest.append(row("truncated.png", s, split));
        }
        Files.writeString(out.resolve("manifest.csv"), manifest.toString());
    }

    private static String row(String name, LocalizationBenchmark.Sample s, String split) {
        return String.format(
                "%s,%d,%s,%d,%d,%d,%d,%s%n",
                name,
                s.label(),
                FashionMnist.CLASS_NAMES.get(s.label()),
                s.box().x0(),
                s.box().y0(),
                s.box().x1(),
                s.box().y1(),
                split);
    }
}
