package io.xaiscale.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.ContractTest;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.Targets;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models people bring: torchvision architectures and a custom CNN imported from PyTorch state-dicts
 * give PyTorch's own logits and input gradients (fixtures written by
 * {@code common/src/test/python/make_fixtures.py} with Debian's python3-torch), and wrong cards or
 * state-dicts fail naming the field or key.
 */
class ImportTest {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};
    static final Path FIXTURES = TestModels.locate("common/src/test/resources/fixtures");

    @TempDir
    Path tmp;

    /** The fixture script's inputs(): two 3 x 64 x 64 images from the pattern. */
    static NDArray inputs(NDManager m) {
        return inputs(m, 64);
    }

    /** The fixture script's inputs(side): two 3 x side x side images from the pattern. */
    static NDArray inputs(NDManager m, int side) {
        double[] px = TestModels.pattern("input", 2L * 3 * side * side);
        float[] pixels = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            pixels[i] = (float) px[i];
        }
        return m.create(pixels, new Shape(2, 3, side, side));
    }

    static ModelCard card(String architecture, int classes) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            names.add("c" + k);
        }
        return new ModelCard(
                architecture,
                "test",
                ModelCard.STATE_DICT,
                architecture,
                "pattern.npz",
                null,
                new ModelCard.Input(3, 64, 64),
                new ModelCard.Preprocessing("bilinear", MEAN, STD),
                names,
                null,
                null,
                null);
    }

    static void assertClose(float[] expected, float[] actual, double rel, String what) {
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rel * scale, what + " at " + i + " (scale " + scale + ")");
        }
    }

    static Map<String, NDArray> expected(NDManager m, Path file) throws IOException {
        return StateDict.read(file, m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn"})
    void torchvisionArchitecturesGivePyTorchsLogitsAndGradients(String arch) throws IOException {
        try (Model model = Model.newInstance(arch, "PyTorch");
                NDManager m = NDManager.newBaseManager()) {
            Classifier c = TestModels.withPatternWeights(card(arch, 10), model, m);
            NDArray x = inputs(m);
            assertLikePyTorch(arch, c, x, m);
            // every white-box method walks the imported model
            assertEquals(
                    new Shape(2, 64, 64),
                    Explainers.fromString("lrp[composite=epsilon_gamma_box]")
                            .attribute(c, x, new int[] {3, 7})
                            .getShape());
        }
    }

    /** Logits and input gradients (targets 3 and 7) of {@code c} on {@code x} against the fixture {@code name}. */
    static void assertLikePyTorch(String name, Classifier c, NDArray x, NDManager m) throws IOException {
        Map<String, NDArray> want = expected(m, FIXTURES.resolve("torchvision/" + name + "-expected.npz"));
        assertClose(want.get("logits").toFloatArray(), c.logitsNoGrad(x).toFloatArray(), 1e-4, name + " logits");
        assertClose(
                want.get("gradient").toFloatArray(),
                c.inputGradient(x, new int[] {3, 7}).toFloatArray(),
                1e-4,
                name + " gradient");
    }

    /**
     * torchvision's VisionTransformer by state dict: the small config of the tests (64 x 64, patches of 8,
     * 2 layers of 4 heads, hidden 32, MLP 64) and vit_b_16 at 224 x 224, pattern weights in both.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vit_small", "vit_b_16"})
    void visionTransformersGivePyTorchsLogitsAndGradients(String name) throws IOException {
        ModelCard card = name.equals("vit_b_16") ? vitCard("vit_b_16", null, 224) : vitCard(Vit.VIT, SMALL_VIT, 64);
        try (Model model = Model.newInstance(name, "PyTorch");
                NDManager m = NDManager.newBaseManager()) {
            Classifier c = TestModels.withPatternWeights(card, model, m);
            assertLikePyTorch(name, c, inputs(m, card.input().height()), m);
        }
    }

    /**
     * The same pattern weights written under timm's ViT names (cls_token, pos_embed, patch_embed.proj,
     * blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}, norm, head) load into the same
     * model: the logits of the torchvision-named import, exactly; a timm key torchvision has not (a
     * distillation token) fails naming it.
     */
    @Test
    void aStateDictUnderTimmsNamesImportsAsTorchvisionsDoes() throws Exception {
        ModelCard card = vitCard(Vit.VIT, SMALL_VIT, 64);
        Map<String, String> blockParts = Map.of(
                "ln_1", "norm1",
                "self_attention.in_proj", "attn.qkv",
                "self_attention.out_proj", "attn.proj",
                "ln_2", "norm2",
                "mlp.0", "mlp.fc1",
                "mlp.3", "mlp.fc2");
        try (Model model = Model.newInstance("timm", "PyTorch");
                NDManager m = NDManager.newBaseManager()) {
            Classifier torchvision = TestModels.withPatternWeights(card, model, m);
            NDList timm = new NDList();
            Architectures.Built shapes = Architectures.build(card);
            shapes.block().initialize(m, DataType.FLOAT32, card.input().shape(1));
            for (StateDict.Entry e : StateDict.entries(shapes)) {
                String k = e.key();
                String name = k.equals("class_token")
                        ? "cls_token"
                        : k.equals("encoder.pos_embedding")
                                ? "pos_embed"
                                : k.replace("conv_proj.", "patch_embed.proj.")
                                        .replace("encoder.ln.", "norm.")
                                        .replace("heads.head.", "head.");
                if (k.startsWith(Vit.BLOCK)) {
                    String[] parts = k.substring(Vit.BLOCK.length()).split("\\.", 2);
                    String rest = parts[1];
                    for (Map.Entry<String, String> p : blockParts.entrySet()) {
                        if (rest.startsWith(p.getKey() + ".") || rest.startsWith(p.getKey() + "_")) {
                            String tail = rest.substring(p.getKey().length()).replaceFirst("^_", ".");
                            name = "blocks." + parts[0] + "." + p.getValue() + tail;
                        }
                    }
                }
                NDArray a = m.create(
                        TestModels.value(k, e.target().getShape(), e.norm()),
                        e.target().getShape());
                a.setName(name);
                timm.add(a);
            }
            assertTrue(timm.stream().anyMatch(a -> a.getName().equals("blocks.1.attn.qkv.weight")));
            Path dir = Files.createDirectories(tmp.resolve("timm"));
            card.write(dir);
            try (OutputStream out = Files.newOutputStream(dir.resolve(card.weights()))) {
                timm.encode(out, NDList.Encoding.NPZ);
            }
            NDArray x = inputs(m, 64);
            try (Classifier loaded = Classifier.load(dir)) {
                assertClose(
                        torchvision.logitsNoGrad(x).toFloatArray(),
                        loaded.logitsNoGrad(x).toFloatArray(),
                        1e-6,
                        "timm names");
            }
            NDArray dist = m.zeros(new Shape(1, 1, 32));
            dist.setName("dist_token");
            timm.add(dist);
            try (OutputStream out = Files.newOutputStream(dir.resolve(card.weights()))) {
                timm.encode(out, NDList.Encoding.NPZ);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Classifier.load(dir));
            assertTrue(e.getMessage().contains("unexpected key 'dist_token'"), e.getMessage());
        }
    }

    /** The small ViT of the tests. */
    static final Vit.Config SMALL_VIT = new Vit.Config(8, 2, 4, 32, 64);

    static ModelCard vitCard(String architecture, Vit.Config config, int side) {
        ModelCard base = card(architecture, 10);
        return new ModelCard(
                base.id(),
                base.version(),
                base.format(),
                architecture,
                null,
                config,
                null,
                base.weights(),
                null,
                new ModelCard.Input(3, side, side),
                base.preprocessing(),
                base.classes(),
                null,
                null,
                null);
    }

    Path customCopy(String weights) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("custom-" + weights.replace('.', '-')));
        for (String f : List.of("model.json", "weights.npz", "weights.safetensors")) {
            Files.copy(FIXTURES.resolve("custom-cnn").resolve(f), dir.resolve(f));
        }
        Path card = dir.resolve("model.json");
        Files.writeString(card, Files.readString(card).replace("\"weights.npz\"", "\"" + weights + "\""));
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"weights.npz", "weights.safetensors"})
    void aCustomCnnFromAStateDictFileGivesPyTorchsLogitsAndGradients(String weights) throws IOException {
        try (Classifier c = Classifier.load(customCopy(weights));
                NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> want = expected(m, FIXTURES.resolve("custom-cnn/expected.npz"));
            NDArray x = inputs(m);
            assertClose(want.get("logits").toFloatArray(), c.logitsNoGrad(x).toFloatArray(), 1e-4, "logits");
            assertClose(
                    want.get("gradient").toFloatArray(),
                    c.inputGradient(x, new int[] {1, 3}).toFloatArray(),
                    1e-4,
                    "gradient");
            assertEquals(List.of("0", "1", "2", "3", "4", "5"), c.featureLayers());
            assertEquals(
                    new Shape(2, 64, 64),
                    Explainers.fromString("grad_cam")
                            .attribute(c, x, new int[] {1, 3})
                            .getShape());
        }
    }

    @Test
    void torchScriptAndTheSameWeightsAsAStateDictGiveTheSameMaps() throws IOException {
        try (Classifier ts = Classifier.load(FIXTURES.resolve("custom-cnn-torchscript"));
                Classifier sd = Classifier.load(customCopy("weights.npz"));
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = inputs(m);
            int[] t = {1, 3};
            Map<String, NDArray> want = expected(m, FIXTURES.resolve("custom-cnn/expected.npz"));
            assertClose(
                    want.get("logits").toFloatArray(), ts.logitsNoGrad(x).toFloatArray(), 1e-4, "TorchScript logits");
            assertClose(
                    want.get("gradient").toFloatArray(),
                    ts.inputGradient(x, t).toFloatArray(),
                    1e-4,
                    "TorchScript gradient");
            assertEquals(List.of("features"), ts.featureLayers());
            for (String[] pair : new String[][] {
                {"gradient", "gradient"},
                {"gradient_x_input", "gradient_x_input"},
                {"grad_cam", "grad_cam[layer=5]"},
                {"integrated_gradients[steps=4]", "integrated_gradients[steps=4]"},
                {"occlusion[window=16,stride=16]", "occlusion[window=16,stride=16]"}
            }) {
                float[] a = Explainers.fromString(pair[0]).attribute(ts, x, t).toFloatArray();
                float[] b = Explainers.fromString(pair[1]).attribute(sd, x, t).toFloatArray();
                assertClose(b, a, 1e-4, pair[0] + ": TorchScript vs state_dict");
            }
            // the one-pass predicted-class path works on TorchScript too
            assertEquals(
                    new Shape(2, 64, 64),
                    Explainers.fromString("gradient")
                            .explain(ts, x, Targets.predicted())
                            .maps()
                            .getShape());
            // capabilities are honest: a method that says it runs on TorchScript passes the start checks and runs;
            // one that walks the layers is refused at start, saying what to supply
            for (String name : Explainers.names()) {
                Explainer e = ContractTest.method(name);
                if (e.capabilities().runsOnTorchScript()) {
                    e.check(ts.card(), ts.featureLayers());
                    assertEquals(new Shape(2, 64, 64), e.attribute(ts, x, t).getShape(), name + " on TorchScript");
                } else {
                    IllegalArgumentException err =
                            assertThrows(IllegalArgumentException.class, () -> e.check(ts.card(), ts.featureLayers()));
                    assertEquals(
                            name
                                    + " needs the model's layer structure, but custom-cnn-torchscript@1 is an opaque TorchScript module: "
                                    + "supply its weights as a state_dict instead (format state_dict with a torchvision or custom architecture; "
                                    + "see models/README.md)",
                            err.getMessage());
                }
            }
        }
    }

    @Test
    void aBgrModelSeesTheChannelsReversed() throws IOException {
        Path rgbDir = customCopy("weights.npz");
        Path bgrDir = customCopy("weights.safetensors");
        Path card = bgrDir.resolve("model.json");
        Files.writeString(
                card,
                Files.readString(card)
                        .replace("\"resize\": \"bilinear\"", "\"resize\": \"bilinear\", \"channel_order\": \"bgr\""));
        try (Classifier rgb = Classifier.load(rgbDir);
                Classifier bgr = Classifier.load(bgrDir);
                NDManager m = NDManager.newBaseManager()) {
            assertTrue(bgr.card().preprocessing().bgr());
            NDArray x = inputs(m);
            NDArray flipped = x.flip(1);
            assertClose(
                    rgb.logitsNoGrad(flipped).toFloatArray(),
                    bgr.logitsNoGrad(x).toFloatArray(),
                    1e-6,
                    "logits");
            for (String method : List.of("gradient", "lrp[composite=epsilon_gamma_box]")) {
                assertClose(
                        Explainers.fromString(method)
                                .attribute(rgb, flipped, new int[] {0, 2})
                                .toFloatArray(),
                        Explainers.fromString(method)
                                .attribute(bgr, x, new int[] {0, 2})
                                .toFloatArray(),
                        1e-5,
                        method);
            }
        }
        Files.writeString(card, Files.readString(card).replace("\"bgr\"", "\"grb\""));
        assertTrue(loadError(bgrDir).contains("invalid field 'preprocessing.channel_order': grb (valid: rgb, bgr)"));
    }

    String loadError(Path dir) {
        Exception e = assertThrows(Exception.class, () -> Classifier.load(dir).close());
        return e.getMessage();
    }

    @Test
    void wrongCardsAndStateDictsFailNamingTheFieldOrKey() throws IOException {
        Path dir = customCopy("weights.npz");
        Path card = dir.resolve("model.json");
        String good = Files.readString(card);

        Files.writeString(card, good.replace("\"architecture\": \"custom\"", "\"architecture\": \"resnet99\""));
        String msg = loadError(dir);
        assertTrue(
                msg.contains(
                        "invalid field 'architecture': resnet99 (valid: small_cnn, small_cnn_dropout, small_resnet, resnet18, resnet34, resnet50, "
                                + "vgg11, vgg11_bn, vgg16, vgg16_bn, vit_b_16, vit_b_32, vit_l_16, vit, custom)"),
                msg);

        Files.writeString(card, good.replace("\"version\": \"1\",", ""));
        assertTrue(loadError(dir).contains("missing field 'version'"));

        Files.writeString(card, good.replace("\"units\": 4", "\"units\": 5"));
        assertTrue(loadError(dir)
                .contains("invalid field 'layers': the last dense layer has 5 units but 'classes' names 4"));

        Files.writeString(card, good.replace("\"type\": \"bn\"", "\"type\": \"batchnorm\""));
        msg = loadError(dir);
        assertTrue(
                msg.contains(
                        "invalid field 'layers[1].type': batchnorm (valid: conv, bn, relu, maxpool, avgpool, gap, flatten, dense, dropout)"),
                msg);

        // a mismatched tensor: the card says 16 filters where the state dict has 8 -> names the key and both shapes
        Files.writeString(card, good.replace("\"filters\": 8", "\"filters\": 12"));
        msg = loadError(dir);
        assertTrue(msg.contains("shape of '0.weight' is (8, 3, 3, 3) but custom needs (12, 3, 3, 3)"), msg);

        // wrong channel count: a grey input for weights that take colour
        Files.writeString(
                card,
                good.replace("\"channels\": 3", "\"channels\": 1")
                        .replaceAll("\"mean\": \\[[^\\]]*\\]", "\"mean\": [0.5]")
                        .replaceAll("\"std\": \\[[^\\]]*\\]", "\"std\": [0.25]"));
        msg = loadError(dir);
        assertTrue(
                msg.contains(
                        "shape of '0.weight' is (8, 3, 3, 3) but custom needs (8, 1, 3, 3) (check 'architecture', 'classes' and 'input.channels')"),
                msg);

        // a key the architecture does not have, and one it misses
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> sd = StateDict.read(dir.resolve("weights.npz"), m);
            sd.put("9.weight", m.zeros(new Shape(2)));
            sd.remove("4.bias");
            Architectures.Built built = Architectures.build(ModelCard.read(customCopy("weights.safetensors")));
            try (Model model = Model.newInstance("x", "PyTorch")) {
                model.setBlock(built.block());
                built.block().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
                msg = assertThrows(
                                IllegalArgumentException.class, () -> StateDict.copy(sd, built, "test.npz", "custom"))
                        .getMessage();
                assertEquals(
                        "State dict test.npz does not fit custom: missing key '4.bias' (custom needs (16)); "
                                + "unexpected key '9.weight' (not a parameter of custom)",
                        msg);
            }
        }
    }
}
