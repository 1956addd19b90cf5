package io.xaiscale.explain.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.Targets;
import io.xaiscale.explain.cam.LayerCam;
import io.xaiscale.model.AttentionCapture;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import io.xaiscale.model.StateDict;
import io.xaiscale.model.TransformerLrp;
import io.xaiscale.model.Vit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attention methods against PyTorch and closed forms (issue 33 item 3). Parity: the small ViT of
 * the fixtures (pattern weights, 64 x 64, 8 x 8 patches) gives torch's own attention probabilities,
 * the rollout and Chefer et al.'s generic map of {@code make_fixtures.py} on its two pattern images.
 * Closed forms: uniform attention rolls out to a uniform map of known value; attention that goes to
 * one patch rolls out to that patch alone.
 */
class AttentionMethodsTest {
    static final Path FIXTURES = TestModels.locate("common/src/test/resources/fixtures");
    static NDManager manager;
    static Model model;
    static Classifier vit;
    static Map<String, NDArray> want;
    static NDArray x;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        model = Model.newInstance("vit_small", "PyTorch");
        vit = TestModels.withPatternWeights(smallVitCard(), model, manager);
        want = StateDict.read(FIXTURES.resolve("torchvision/vit_small-attention.npz"), manager);
        double[] px = TestModels.pattern("input", 2L * 3 * 64 * 64);
        float[] pixels = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            pixels[i] = (float) px[i];
        }
        x = manager.create(pixels, new Shape(2, 3, 64, 64));
    }

    @AfterAll
    static void close() {
        manager.close();
        model.close();
    }

    static ModelCard smallVitCard() {
        return new ModelCard(
                "vit_small",
                "test",
                ModelCard.STATE_DICT,
                Vit.VIT,
                null,
                new Vit.Config(8, 2, 4, 32, 64),
                null,
                "pattern.npz",
                null,
                new ModelCard.Input(3, 64, 64),
                new ModelCard.Preprocessing(
                        "bilinear", new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}),
                List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"),
                null,
                null,
                null);
    }

    static void assertClose(float[] expected, float[] actual, double rel, String what) {
        double scale = 1e-12;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rel * scale, what + " at " + i + " (scale " + scale + ")");
        }
    }

    @Test
    void theAttentionOfTheFirstBlockIsTorchs() {
        try (NDManager m = manager.newSubManager();
                GradMode off = GradMode.off();
                AttentionCapture capture = AttentionCapture.open(false)) {
            vit.logits(x.duplicate());
            assertEquals(2, capture.maps().size(), "one map per encoder layer");
            assertClose(
                    want.get("attention0").toFloatArray(), capture.maps().get(0).toFloatArray(), 1e-5, "attention");
        }
    }

    @Test
    void rolloutAndTheGenericMapEqualTheReferenceComputedInPyTorch() {
        int[] targets = {3, 7};
        Attribution rollout = Explainers.fromString("attention_rollout").explain(vit, x, Targets.of(targets));
        assertEquals(new Shape(2, 8, 8), rollout.coarse().getShape());
        assertEquals(new Shape(2, 64, 64), rollout.maps().getShape());
        assertClose(want.get("rollout_mean").toFloatArray(), rollout.coarse().toFloatArray(), 1e-4, "rollout");
        Attribution discarded = Explainers.fromString("attention_rollout[discard=0.5,head_fusion=max]")
                .explain(vit, x, Targets.of(targets));
        assertClose(
                want.get("rollout_max_discard").toFloatArray(),
                discarded.coarse().toFloatArray(),
                1e-4,
                "rollout, max fusion, half discarded");
        Attribution generic = Explainers.fromString("generic_attention").explain(vit, x, Targets.of(targets));
        assertClose(want.get("generic").toFloatArray(), generic.coarse().toFloatArray(), 1e-4, "generic attention");
        // class-specific: another class gives another map
        Attribution other = Explainers.fromString("generic_attention").explain(vit, x, Targets.of(0, 1));
        assertTrue(
                Math.abs(other.coarse().toFloatArray()[5] - generic.coarse().toFloatArray()[5]) > 1e-6,
                "another class, another map");
    }

    @Test
    void leGradAndGradCamOnTokensEqualTheReferenceComputedInPyTorch() {
        int[] targets = {3, 7};
        Attribution legrad = Explainers.fromString("legrad").explain(vit, x, Targets.of(targets));
        assertEquals(new Shape(2, 64, 64), legrad.maps().getShape());
        assertClose(want.get("legrad").toFloatArray(), legrad.maps().toFloatArray(), 1e-4, "legrad");
        float[] maps = legrad.maps().toFloatArray();
        for (int i = 0; i < 2; i++) {
            float lo = Float.MAX_VALUE;
            float hi = -Float.MAX_VALUE;
            for (int p = i * 4096; p < (i + 1) * 4096; p++) {
                lo = Math.min(lo, maps[p]);
                hi = Math.max(hi, maps[p]);
            }
            assertEquals(0, lo, 1e-6, "min-max scaled");
            assertEquals(1, hi, 1e-6, "min-max scaled");
        }
        // the patch grid (what native-resolution storage keeps) upsampled is the map
        assertClose(maps, LayerCam.upsample(legrad.coarse(), 64, 64).toFloatArray(), 1e-6, "legrad's grid upsampled");
        // the last block alone is another map; a block that does not exist fails naming the valid ones
        Attribution last = Explainers.fromString("legrad[from_layer=-1]").explain(vit, x, Targets.of(targets));
        assertTrue(Math.abs(last.maps().toFloatArray()[100] - maps[100]) > 1e-4, "the last block alone differs");
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> Explainers.fromString("legrad[from_layer=2]").check(vit.card(), vit.featureLayers()));
        assertEquals(
                "Invalid from_layer for legrad: 2 (valid for " + vit.card().key() + " of 2 blocks: -2..1)",
                bad.getMessage());
        // Grad-CAM by default on the last block's input: the first block's output tokens on their 8 x 8 grid
        Attribution cam = Explainers.fromString("grad_cam").explain(vit, x, Targets.of(targets));
        assertEquals(new Shape(2, 8, 8), cam.coarse().getShape());
        assertClose(want.get("token_grad_cam").toFloatArray(), cam.coarse().toFloatArray(), 1e-4, "grad_cam on tokens");
        Attribution named = Explainers.fromString("grad_cam[layer=encoder.layers.encoder_layer_0]")
                .explain(vit, x, Targets.of(targets));
        assertClose(want.get("token_grad_cam").toFloatArray(), named.coarse().toFloatArray(), 1e-4, "the layer named");
    }

    /**
     * AttnLRP and CP-LRP equal the relevance of the rules written out in PyTorch ({@code make_fixtures.py}:
     * LayerNorm's deviation and GELU's gate detached, products split evenly, the softmax kept or
     * detached), and the rules leave the logits as they are.
     */
    @Test
    void attnLrpAndCpLrpEqualTheRulesWrittenOutInPyTorch() throws IOException {
        Map<String, NDArray> lrp = StateDict.read(FIXTURES.resolve("torchvision/vit_small-lrp.npz"), manager);
        int[] targets = {3, 7};
        try (GradMode off = GradMode.off()) {
            float[] plain = vit.logits(x).toFloatArray();
            try (TransformerLrp rules = TransformerLrp.open(TransformerLrp.Softmax.TAYLOR)) {
                assertClose(plain, vit.logits(x).toFloatArray(), 1e-6, "the logits under the rules");
            }
            assertClose(lrp.get("logits").toFloatArray(), plain, 1e-4, "the logits");
        }
        Attribution taylor = Explainers.fromString("attn_lrp").explain(vit, x, Targets.of(targets));
        assertEquals(new Shape(2, 64, 64), taylor.maps().getShape());
        assertClose(lrp.get("attn_lrp").toFloatArray(), taylor.maps().toFloatArray(), 1e-4, "attn_lrp");
        Attribution detach = Explainers.fromString("attn_lrp[softmax=detach]").explain(vit, x, Targets.of(targets));
        assertClose(lrp.get("cp_lrp").toFloatArray(), detach.maps().toFloatArray(), 1e-4, "attn_lrp[softmax=detach]");
        assertTrue(
                Math.abs(taylor.maps().toFloatArray()[100] - detach.maps().toFloatArray()[100]) > 1e-7,
                "the softmax's rule matters");
        // Chefer et al. (CVPR 2021): each block's attention relevance under the rules times its plain gradient, rolled
        // out
        Attribution chefer = Explainers.fromString("transformer_attribution").explain(vit, x, Targets.of(targets));
        assertEquals(new Shape(2, 8, 8), chefer.coarse().getShape());
        assertClose(
                lrp.get("transformer_attribution").toFloatArray(),
                chefer.coarse().toFloatArray(),
                1e-4,
                "transformer_attribution");
    }

    /**
     * LRP-0 on the propagation engine, layer by layer (relevance divided by each layer's output, passed
     * back by its rule, times its input), equals the same rules as one gradient-times-input pass under
     * {@link TransformerLrp}: two derivations of AttnLRP and CP-LRP that share no code past the model's
     * blocks. The engine then takes any composite: epsilon on dense layers changes the map.
     */
    @Test
    void lrpOnTheEngineEqualsTheRulesAsOneGradientTimesInputPass() {
        int[] targets = {3, 7};
        for (String softmax : List.of("taylor", "detach")) {
            float[] engine = Explainers.fromString("lrp[rule=zero,softmax=" + softmax + "]")
                    .attribute(vit, x, targets)
                    .toFloatArray();
            float[] pass = Explainers.fromString("attn_lrp[softmax=" + softmax + "]")
                    .attribute(vit, x, targets)
                    .toFloatArray();
            assertClose(pass, engine, 1e-4, "lrp[rule=zero,softmax=" + softmax + "] on the engine");
        }
        float[] zero = Explainers.fromString("lrp[rule=zero]")
                .attribute(vit, x, targets)
                .toFloatArray();
        float[] epsilon = Explainers.fromString("lrp[rule=epsilon,epsilon=0.5]")
                .attribute(vit, x, targets)
                .toFloatArray();
        assertTrue(Math.abs(zero[100] - epsilon[100]) > 1e-6, "the dense layers' rule matters");
        assertEquals(
                "lrp[bias=true,conv=epsilon,dense=epsilon,epsilon=1.0E-6,first=same]",
                Explainers.fromString("lrp[softmax=taylor]").spec(),
                "the default softmax rule is not recorded: a CNN's lrp keeps its stored identity");
    }

    /**
     * Without biases, class token and position embedding, CP-LRP's relevance sums to the target logit
     * (every layer then passes all of it on), as one gradient-times-input pass and on the propagation
     * engine, LRP-0 or Zennit's epsilon_plus; AttnLRP's softmax rule keeps it from summing to it.
     */
    @Test
    void cpLrpConservesTheTargetLogitOfAViTWithoutBiases() {
        try (Classifier v = TestModels.randomVit(11, 32, 4);
                NDManager m = NDManager.newBaseManager()) {
            for (var p : v.model().getBlock().getParameters()) {
                String name = p.getKey();
                if (name.endsWith("bias")
                        || name.endsWith("beta")
                        || name.endsWith("class_token")
                        || name.endsWith("pos_embedding")) {
                    NDArray a = p.getValue().getArray();
                    StateDict.write(a, a.zerosLike());
                }
            }
            NDArray in = m.randomUniform(0f, 1f, new Shape(3, 1, 32, 32));
            int[] t = {0, 1, 3};
            float[] logits = v.logitsNoGrad(in).toFloatArray();
            float[] detach = Explainers.fromString("attn_lrp[softmax=detach]")
                    .explain(v, in, Targets.of(t))
                    .maps()
                    .toFloatArray();
            float[] taylor = Explainers.fromString("attn_lrp")
                    .explain(v, in, Targets.of(t))
                    .maps()
                    .toFloatArray();
            float[] engine = Explainers.fromString("lrp[rule=zero,softmax=detach]")
                    .explain(v, in, Targets.of(t))
                    .maps()
                    .toFloatArray();
            // z+ on the patch embedding, epsilon on every dense layer (Zennit's epsilon_plus): conservative up to
            // epsilon
            float[] plus = Explainers.fromString("lrp[composite=epsilon_plus,softmax=detach]")
                    .explain(v, in, Targets.of(t))
                    .maps()
                    .toFloatArray();
            // z+ everywhere: the dense layers' positive and negative inputs side by side on the feature axis
            float[] zplus = Explainers.fromString("lrp[rule=zplus,softmax=detach]")
                    .explain(v, in, Targets.of(t))
                    .maps()
                    .toFloatArray();
            double off = 0;
            double largest = 0;
            for (int i = 0; i < 3; i++) {
                double logit = logits[i * 4 + t[i]];
                assertEquals(logit, sum(zplus, i, 1024), 1e-3 * Math.max(1, Math.abs(logit)), "zplus, image " + i);
                assertEquals(logit, sum(engine, i, 1024), 1e-4 * Math.max(1, Math.abs(logit)), "lrp, image " + i);
                assertEquals(
                        logit, sum(plus, i, 1024), 1e-3 * Math.max(1, Math.abs(logit)), "epsilon_plus, image " + i);
            }
            assertTrue(Math.abs(plus[100] - engine[100]) > 1e-6, "z+ on the patch embedding is another map than LRP-0");
            for (int i = 0; i < 3; i++) {
                double sum = 0;
                double sumTaylor = 0;
                for (int p = i * 1024; p < (i + 1) * 1024; p++) {
                    sum += detach[p];
                    sumTaylor += taylor[p];
                }
                double logit = logits[i * 4 + t[i]];
                assertEquals(
                        logit,
                        sum,
                        1e-4 * Math.max(1, Math.abs(logit)),
                        "image " + i + ": relevance sums to the logit");
                off = Math.max(off, Math.abs(sumTaylor - logit));
                largest = Math.max(largest, Math.abs(logit));
            }
            assertTrue(largest > 0.1, "logits large enough for the sums to mean something: " + largest);
            assertTrue(off > 1e-3, "AttnLRP's softmax rule is not conservative by itself: " + off);
        }
    }

    private static double sum(float[] maps, int image, int size) {
        double sum = 0;
        for (int p = image * size; p < (image + 1) * size; p++) {
            sum += maps[p];
        }
        return sum;
    }

    /**
     * Zero weights everywhere except what is set: LayerNorm scales 1, the queries' bias and the keys'
     * weight on feature 0, and the position embedding. All tokens are then equal (and their queries and
     * keys 0: uniform attention) unless a position embedding marks one.
     */
    static Classifier handBuilt(int layers, int heads, int markedToken, NDManager m) {
        ModelCard card = new ModelCard(
                "hand-vit",
                "test",
                ModelCard.STATE_DICT,
                Vit.VIT,
                null,
                new Vit.Config(8, layers, heads, 32, 8),
                null,
                "none.npz",
                null,
                new ModelCard.Input(1, 32, 32),
                new ModelCard.Preprocessing("bilinear", new float[] {0f}, new float[] {1f}),
                List.of("a", "b"),
                null,
                null,
                null);
        Classifier c = TestModels.withPatternWeights(card, Model.newInstance("hand-vit", "PyTorch"), m);
        for (var p : c.model().getBlock().getParameters()) {
            NDArray a = p.getValue().getArray();
            String k = p.getKey();
            a.set(a.zerosLike().toFloatArray());
            if (k.endsWith("gamma")) {
                a.set(a.onesLike().toFloatArray());
            } else if (markedToken >= 0 && k.endsWith("pos_embedding")) {
                float[] v = new float[(int) a.size()];
                v[markedToken * 32] = 1f; // token markedToken, feature 0
                a.set(v);
            } else if (markedToken >= 0 && k.endsWith("in_proj_bias")) {
                float[] v = new float[(int) a.size()];
                v[0] = 100f; // every query: 100 on feature 0
                a.set(v);
            } else if (markedToken >= 0 && k.endsWith("in_proj_weight")) {
                float[] v = new float[(int) a.size()];
                v[32 * 32] = 1f; // key feature 0 = normalised feature 0
                a.set(v);
            }
        }
        return c;
    }

    @Test
    void uniformAttentionRollsOutToAUniformMapOfKnownValue() {
        try (NDManager m = manager.newSubManager()) {
            Classifier c = handBuilt(2, 4, -1, m);
            NDArray img = m.randomUniform(0f, 1f, new Shape(2, 1, 32, 32));
            float[] coarse = Explainers.fromString("attention_rollout")
                    .explain(c, img, Targets.of(0, 1))
                    .coarse()
                    .toFloatArray();
            // a = (I + J/T) / 2 with J/T idempotent, so a^L = I / 2^L + (1 - 1/2^L) J/T: off-diagonal (1 - 1/4) / 17
            for (float v : coarse) {
                assertEquals(0.75 / 17, v, 1e-6);
            }
            c.close();
        }
    }

    @Test
    void attentionToOnePatchRollsOutToThatPatchAlone() {
        try (NDManager m = manager.newSubManager()) {
            int patch = 6; // token 7: row 1, column 2 of the 4 x 4 grid
            Classifier c = handBuilt(1, 1, patch + 1, m);
            NDArray img = m.zeros(new Shape(1, 1, 32, 32));
            float[] coarse = Explainers.fromString("attention_rollout")
                    .explain(c, img, Targets.of(0))
                    .coarse()
                    .toFloatArray();
            for (int p = 0; p < 16; p++) {
                assertEquals(p == patch ? 0.5 : 0.0, coarse[p], 1e-4, "patch " + p);
            }
            c.close();
        }
    }
}
