package io.xaiscale.bench;

import static io.xaiscale.bench.BenchCommand.ideal;
import static io.xaiscale.bench.Timing.interleavedMedianMs;
import static io.xaiscale.bench.Timing.medianMs;
import static io.xaiscale.bench.Timing.scoped;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The bench's {@code formats} section: ResNet-18 at 224x224 as imported weights and as TorchScript. */
final class FormatsSection {
    private FormatsSection() {}

    /** Methods whose cost is timed on ResNet-18 too: the propagation engine's, where rule arithmetic meets real convolutions. */
    static final List<String> RESNET_METHODS = List.of(
            "gradient",
            "guided_backprop",
            "deconvnet",
            "lrp",
            "lrp[composite=epsilon_plus]",
            "lrp[composite=epsilon_gamma_box]",
            "lrp[composite=epsilon_alpha2_beta1]",
            "deeplift",
            "grad_cam",
            "guided_grad_cam");

    /**
     * ResNet-18 at 224x224, batch 8: forward and forward+backward (input gradient) throughput of the
     * project's imported (state-dict) DJL blocks and, when the traced file exists, of the same
     * architecture as a TorchScript module; then the propagation methods' cost on the imported one.
     */
    static String section(Path torchscript, int repeats) throws Exception {
        StringBuilder md = new StringBuilder(String.format("%n## Model formats: ResNet-18 at 224x224%n%n"));
        int n = 8;
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < 1000; k++) {
            classes.add("c" + k);
        }
        ModelCard.Input in = new ModelCard.Input(3, 224, 224);
        ModelCard.Preprocessing pre = new ModelCard.Preprocessing(
                "bilinear", new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        Architectures.Built built = Architectures.build("resnet18", 1000);
        Model djl = Model.newInstance("resnet18-sd", "PyTorch");
        djl.setBlock(built.block());
        built.block().initialize(djl.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 224, 224));
        built.block().freezeParameters(true);
        boolean haveScript = Files.isRegularFile(torchscript);
        md.append(String.format(
                "Batch %d, median of %d runs, same machine and threads as above, random weights. The imported model is the "
                        + "project's torchvision-compatible DJL ResNet-18 (what a state_dict loads into); the TorchScript module is torchvision's, "
                        + "traced (written by `make_fixtures.py --bench`).%n%n| format | forward images/s | forward+backward images/s | fb / f |%n|---|---|---|---|%n",
                n, repeats));
        List<Classifier> models = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            models.add(Classifier.of(
                    new ModelCard(
                            "resnet18-sd",
                            "bench",
                            ModelCard.STATE_DICT,
                            "resnet18",
                            "none.npz",
                            null,
                            in,
                            pre,
                            classes,
                            null,
                            null,
                            null),
                    djl,
                    built));
            if (haveScript) {
                Path dir = Files.createTempDirectory("xai-ts");
                Files.createSymbolicLink(dir.resolve("model.pt"), torchscript.toAbsolutePath());
                new ModelCard(
                                "resnet18-ts",
                                "bench",
                                ModelCard.TORCHSCRIPT,
                                null,
                                null,
                                null,
                                null,
                                "model.pt",
                                null,
                                in,
                                pre,
                                classes,
                                null,
                                null,
                                null)
                        .write(dir);
                models.add(Classifier.load(dir));
            }
            float[] data = new float[n * 3 * 224 * 224];
            Random rnd = new Random(1);
            for (int i = 0; i < data.length; i++) {
                data[i] = rnd.nextFloat();
            }
            NDArray x = m.create(data, new Shape(n, 3, 224, 224));
            int[] t = new int[n];
            for (Classifier c : models) {
                double f = medianMs(repeats, () -> scoped(x, c::logitsNoGrad));
                double fb = medianMs(repeats, () -> scoped(x, xs -> c.inputGradient(xs, t)));
                String row = String.format(
                        "| %s | %.1f | %.1f | %.2f |",
                        c.isScripted() ? "TorchScript (.pt)" : "imported state_dict (DJL blocks)",
                        n / (f / 1000),
                        n / (fb / 1000),
                        fb / f);
                md.append(row).append('\n');
                System.out.println(row);
            }
            if (!haveScript) {
                md.append("\nTorchScript row skipped: no traced ResNet-18 at ")
                        .append(torchscript)
                        .append(
                                " (write one with `/usr/bin/python3 common/src/test/python/make_fixtures.py --bench bench-out`).\n");
            }
            md.append(
                    String.format(
                            "%n### Propagation methods on the imported ResNet-18%n%nSame batch; cost against the plain passes "
                                    + "of this model, timed in turn with each method. On the small shipped CNN the rules' element-wise arithmetic on "
                                    + "activations weighs about as much as its small convolutions; here the convolutions dominate, as in the models "
                                    + "people audit.%n%n| method | ms per batch | cost / forward | cost / (forward+backward) | ideal passes |%n|---|---|---|---|---|%n"));
            Classifier imported = models.get(0);
            for (String spec : RESNET_METHODS) {
                Explainer e = Explainers.fromString(spec);
                double[] ms = interleavedMedianMs(
                        repeats,
                        () -> scoped(x, imported::logitsNoGrad),
                        () -> scoped(x, xs -> imported.inputGradient(xs, t)),
                        () -> scoped(x, xs -> e.attribute(imported, xs, t)));
                String row = String.format(
                        "| `%s` | %.0f | %.2f | %.2f | %s |",
                        e.spec(), ms[2], ms[2] / ms[0], ms[2] / ms[1], ideal(e, imported));
                md.append(row).append('\n');
                System.out.println(row);
            }
        } finally {
            models.forEach(Classifier::close);
        }
        return md.toString();
    }
}
