package io.xaiscale.bench;

import io.xaiscale.explain.Explainer;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.model.Classifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The bench's {@code memory} section: peak resident memory per batch size, a fresh JVM per method. */
final class MemorySection {
    private MemorySection() {}

    static final int[] MEMORY_BATCHES = {1, 8, 16, 32, 64};

    /**
     * Peak resident memory added by one batch, per batch size, for the heaviest methods: the kernel's
     * peak-RSS mark is reset ({@code /proc/self/clear_refs}) before each run and read after it.
     */
    static String section(Classifier model, String modelDir, List<Explainer> methods) {
        if (!Files.isWritable(Path.of("/proc/self/clear_refs"))) {
            return "";
        }
        StringBuilder md = new StringBuilder(String.format(
                "%n## Peak memory per batch size%n%n"
                        + "Growth of the peak resident memory (heap and libtorch's native memory) of a fresh JVM, one per method, while it "
                        + "explains batches of 1, 8, ... 64 images in turn, internal batch %d. Use it to size executors: a task needs about "
                        + "this much on top of the JVM and the model; tasks of one executor run their gradient work in parallel, each with its own batch. libtorch's "
                        + "allocator keeps memory freed by a smaller batch for the next one, so read the largest batch you will run. LIME and "
                        + "RISE work image by image in their own scopes: their memory does not grow with the batch.%n%n"
                        + "| method | batch 1 | batch 8 | batch 16 | batch 32 | batch 64 |%n|---|---|---|---|---|---|%n",
                model.internalBatchSize()));
        for (Explainer e : methods) {
            if (List.of("lime", "rise").contains(e.name())) {
                continue;
            }
            String row = probe(modelDir, e.spec(), model.internalBatchSize());
            md.append(row).append('\n');
            System.out.println(row);
        }
        return md.toString();
    }

    /** Runs {@link MemoryProbe} for one method in a child JVM with this JVM's class path and DJL settings. */
    static String probe(String modelDir, String spec, int internalBatch) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("ai.djl."))
                .sorted()
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                MemoryProbe.class.getName(),
                modelDir,
                String.valueOf(internalBatch),
                FashionMnist.DEFAULT_DIR.toString(),
                spec));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines()
                    .filter(l -> l.startsWith("| `"))
                    .reduce((x, y) -> y)
                    .orElse("| `" + spec + "` | probe failed: "
                            + out.lines().reduce((x, y) -> y).orElse("no output") + " |");
        } catch (Exception ex) {
            return "| `" + spec + "` | probe failed: " + ex + " |";
        }
    }

    static long rssKb(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith(field + ":")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
