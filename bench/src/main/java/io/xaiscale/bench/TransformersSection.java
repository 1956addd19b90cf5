package io.xaiscale.bench;

import static io.xaiscale.bench.BenchCommand.ideal;
import static io.xaiscale.bench.Timing.interleavedMedianMs;
import static io.xaiscale.bench.Timing.scoped;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The bench's {@code transformers} section: every method that runs on a Vision Transformer, on the
 * shipped small ViT, and the cheap ones (attention methods, Grad-CAM on tokens, gradient, a coarse
 * occlusion) on torchvision's {@code vit_b_16} at 224x224 with random weights: each method's cost in
 * the model's own plain passes, next to its declared least cost.
 */
final class TransformersSection {
    private TransformersSection() {}

    /** What is timed on vit_b_16: at most a few passes each, so the section takes minutes on one thread. */
    static final List<String> VIT_B_16_METHODS = List.of(
            "gradient",
            "grad_cam",
            "attention_rollout",
            "generic_attention",
            "legrad",
            "attn_lrp",
            "lrp",
            "lrp[composite=epsilon_plus]",
            "transformer_attribution",
            "integrated_gradients[steps=8]",
            "occlusion[window=56,stride=56]");

    static String section(Path shippedVit, LocalizationBenchmark bench, int repeats) throws Exception {
        StringBuilder md = new StringBuilder(String.format("%n## Vision Transformers%n%n"));
        try (Classifier small = Classifier.load(shippedVit);
                NDManager m = NDManager.newBaseManager()) {
            md.append(String.format(
                    "The shipped `%s` (%s, input %dx%dx%d), batch 8 of the localisation benchmark's canvases, median of"
                            + " %d runs: every method that runs on a ViT with its defaults.%n%n",
                    small.card().key(),
                    small.card().architecture(),
                    small.channels(),
                    small.height(),
                    small.width(),
                    repeats));
            int n = 8;
            int hw = small.height() * small.width();
            float[] data = new float[n * hw];
            for (int i = 0; i < n; i++) {
                bench.sample(i).copyTo(data, i * hw);
            }
            List<Explainer> methods = Explainers.listFor("all", small.card());
            methods.forEach(e -> BenchCommand.withReferences(e, bench, small));
            rows(md, small, m.create(data, small.card().input().shape(n)), methods, repeats);
        }
        try (Classifier big = vitB16();
                NDManager m = NDManager.newBaseManager()) {
            md.append(String.format(
                    "%ntorchvision's `vit_b_16` at 224x224 (random weights, 1000 classes), batch 2, median of %d runs:%n%n",
                    Math.max(3, repeats / 2)));
            List<Explainer> methods = new ArrayList<>();
            VIT_B_16_METHODS.forEach(s -> methods.add(Explainers.fromString(s)));
            rows(md, big, batch(m, big, 2), methods, Math.max(3, repeats / 2));
        }
        md.append("\nCost is against this model's own forward pass and forward+backward pass (input gradient), timed in"
                + " turn with each method. The attention methods record each block's attention during the forward pass;"
                + " LeGrad adds, per block, that block and the head forward and backward alone.\n");
        return md.toString();
    }

    private static NDArray batch(NDManager m, Classifier model, int n) {
        float[] data = new float[n * model.channels() * model.height() * model.width()];
        Random rnd = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat();
        }
        return m.create(data, model.card().input().shape(n));
    }

    private static void rows(StringBuilder md, Classifier model, NDArray x, List<Explainer> methods, int repeats) {
        int[] t;
        try (GradMode off = GradMode.off()) {
            t = Autograd.argMax(model.logits(x));
        }
        md.append("| method | ms per batch | cost / forward | cost / (forward+backward) | ideal passes |\n"
                + "|---|---|---|---|---|\n");
        for (Explainer e : methods) {
            e.check(model.card(), model.featureLayers());
            double[] ms = interleavedMedianMs(
                    repeats,
                    () -> scoped(x, model::logitsNoGrad),
                    () -> scoped(x, xs -> model.inputGradient(xs, t)),
                    () -> scoped(x, xs -> e.attribute(model, xs, t)));
            String row = String.format(
                    "| `%s` | %.0f | %.2f | %.2f | %s |",
                    e.spec(), ms[2], ms[2] / ms[0], ms[2] / ms[1], ideal(e, model));
            md.append(row).append('\n');
            System.out.println(row);
        }
    }

    /** torchvision's vit_b_16 as the project builds it from the preset, random weights. */
    private static Classifier vitB16() {
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < 1000; k++) {
            classes.add("c" + k);
        }
        ModelCard card = new ModelCard(
                "vit_b_16-random",
                "bench",
                ModelCard.STATE_DICT,
                "vit_b_16",
                "none.npz",
                null,
                new ModelCard.Input(3, 224, 224),
                new ModelCard.Preprocessing("bilinear", new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}),
                classes,
                null,
                null,
                null);
        Architectures.Built built = Architectures.build(card);
        Model djl = Model.newInstance(card.id(), "PyTorch");
        djl.setBlock(built.block());
        built.block().initialize(djl.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 224, 224));
        built.block().freezeParameters(true);
        return Classifier.of(card, djl, built);
    }
}
