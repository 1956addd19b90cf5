package io.xaiscale.explain.propagation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.TestModels;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.gradient.Baseline;
import io.xaiscale.explain.propagation.rules.Chain;
import io.xaiscale.explain.propagation.rules.DeconvRelu;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The propagation engine against hand-written formulas, conservation laws and the plain gradient. */
class PropagationTest {
    static NDManager manager;
    static Classifier shipped;
    static Classifier resnet;
    /** torchvision ResNet-18 with random weights: its stem max-pools overlapping 3x3 windows with stride 2. */
    static Classifier resnet18;

    static Classifier biasFree;
    static TestModels.Tiny tiny;
    static PlainTiny plain;
    static float[] canvases;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        shipped = Classifier.load(TestModels.shipped());
        resnet = TestModels.random(Architectures.SMALL_RESNET, 11, 32, 10, true);
        resnet18 = TestModels.random("resnet18", 3, 64, 10, true);
        biasFree = TestModels.biasFree(5);
        tiny = TestModels.tiny(4);
        plain = new PlainTiny(tiny);
        LocalizationBenchmark bench =
                new LocalizationBenchmark(FashionMnist.read(FashionMnist.DEFAULT_DIR, "test"), 64, 99);
        canvases = new float[3 * 4096];
        for (int i = 0; i < 3; i++) {
            bench.sample(i).copyTo(canvases, i * 4096);
        }
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        shipped.close();
        resnet.close();
        resnet18.close();
        biasFree.close();
        tiny.model().close();
    }

    static NDArray random(NDManager m, long seed, int n, int c, int h, int w) {
        return random(m, seed, new long[] {n, c, h, w});
    }

    /** Uniform [0, 1) values of any shape, fixed by the seed. */
    static NDArray random(NDManager m, long seed, long[] shape) {
        Random rnd = new Random(seed);
        float[] v = new float[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat();
        }
        return m.create(v, new Shape(shape));
    }

    static NDArray canvases(NDManager m) {
        return m.create(canvases, new Shape(3, 1, 64, 64));
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, scale), what + " at " + i);
        }
    }

    // ---- every rule against its plain formula on the tiny network ----

    void checkTiny(String spec, BiFunction<double[], Integer, double[]> expected) {
        checkTiny(spec, 0f, expected);
    }

    /**
     * The method's maps on two random inputs (uniform in {@code [-shift, 1 - shift)}) against the plain
     * formula; LRP's signal at the pixels (each input channel's relevance) is compared before the
     * channels are summed too, since a rule can be wrong per channel and right in their sum.
     */
    void checkTiny(String spec, float shift, BiFunction<double[], Integer, double[]> expected) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = random(m, 17, 2, 2, 2, 2).sub(shift);
            int[] targets = {0, 1};
            Explainer e = Explainers.fromString(spec);
            float[] maps = e.attribute(tiny.model(), x, targets).toFloatArray();
            float[] perChannel = e instanceof Lrp lrp
                    ? Propagation.run(tiny.model(), x, targets, null, lrp.rules(), lrp.start())
                            .signal()
                            .toFloatArray()
                    : null;
            float[] xs = x.toFloatArray();
            for (int n = 0; n < 2; n++) {
                double[] xi = new double[8];
                for (int i = 0; i < 8; i++) {
                    xi[i] = xs[n * 8 + i];
                }
                double[] signal = expected.apply(xi, targets[n]);
                double[] want = PlainTiny.map(signal);
                // an all-zero expectation (every ReLU dead on this input) would let any rule pass
                assertTrue(
                        Arrays.stream(want).anyMatch(v -> Math.abs(v) > 1e-3),
                        spec + ": the expected map of sample " + n + " is zero");
                for (int p = 0; p < 4; p++) {
                    assertEquals(
                            want[p],
                            maps[n * 4 + p],
                            1e-4 * Math.max(1, Math.abs(want[p])),
                            spec + " sample " + n + " pixel " + p);
                }
                for (int i = 0; perChannel != null && i < 8; i++) {
                    assertEquals(
                            signal[i],
                            perChannel[n * 8 + i],
                            1e-4 * Math.max(1, Math.abs(signal[i])),
                            spec + " sample " + n + " input " + i);
                }
            }
        }
    }

    @Test
    void everyLrpRuleMatchesItsFormula() {
        checkTiny("lrp[rule=zero]", (x, t) -> plain.lrp(x, t, PlainTiny.epsilon(0, true), PlainTiny.epsilon(0, true)));
        checkTiny(
                "lrp[rule=epsilon,epsilon=0.5]",
                (x, t) -> plain.lrp(x, t, PlainTiny.epsilon(0.5, true), PlainTiny.epsilon(0.5, true)));
        checkTiny(
                "lrp[rule=epsilon,epsilon=0.5,bias=false]",
                (x, t) -> plain.lrp(x, t, PlainTiny.epsilon(0.5, false), PlainTiny.epsilon(0.5, false)));
        checkTiny(
                "lrp[rule=gamma,gamma=0.25]",
                (x, t) -> plain.lrp(x, t, PlainTiny.gamma(0.25, true), PlainTiny.gamma(0.25, true)));
        checkTiny(
                "lrp[rule=alpha_beta]",
                (x, t) -> plain.lrp(x, t, PlainTiny.alphaBeta(2, 1, true), PlainTiny.alphaBeta(2, 1, true)));
        checkTiny(
                "lrp[rule=alpha_beta,alpha=1,beta=0,bias=false]",
                (x, t) -> plain.lrp(x, t, PlainTiny.alphaBeta(1, 0, false), PlainTiny.alphaBeta(1, 0, false)));
        checkTiny(
                "lrp[rule=zplus]",
                (x, t) -> plain.lrp(x, t, PlainTiny.alphaBeta(1, 0, false), PlainTiny.alphaBeta(1, 0, false)));
        checkTiny(
                "lrp[conv=gamma,dense=epsilon,first=zb,epsilon=0.1]",
                (x, t) -> plain.lrp(x, t, PlainTiny.bounded(), PlainTiny.epsilon(0.1, true)));
        // Zennit's EpsilonPlus: its ZPlus keeps the positive part of the bias (the tiny net has biases)
        checkTiny(
                "lrp[composite=epsilon_plus]",
                (x, t) -> plain.lrp(x, t, PlainTiny.alphaBeta(1, 0, true), PlainTiny.epsilon(1e-6, true)));
        // inputs of both signs at the first layer (as normalised pixels are): alpha-beta splits them by sign
        checkTiny(
                "lrp[rule=alpha_beta]",
                0.5f,
                (x, t) -> plain.lrp(x, t, PlainTiny.alphaBeta(2, 1, true), PlainTiny.alphaBeta(2, 1, true)));
        checkTiny(
                "lrp[composite=epsilon_plus]",
                0.5f,
                (x, t) -> plain.lrp(x, t, PlainTiny.alphaBeta(1, 0, true), PlainTiny.epsilon(1e-6, true)));
        assertEquals(
                "lrp[alpha=1.0,beta=0.0,bias=true,conv=alpha_beta,dense=epsilon,epsilon=1.0E-6,first=alpha_beta]",
                Explainers.fromString("lrp[composite=epsilon_plus]").spec());
    }

    @Test
    void guidedBackpropDeconvNetAndDeepLiftMatchTheirFormulas() {
        checkTiny("guided_backprop", (x, t) -> plain.modifiedGradient(x, t, (z, g) -> z > 0 ? Math.max(0, g) : 0));
        checkTiny("deconvnet", (x, t) -> plain.modifiedGradient(x, t, (z, g) -> Math.max(0, g)));
        checkTiny("gradient", (x, t) -> plain.modifiedGradient(x, t, (z, g) -> z > 0 ? g : 0));
        checkTiny("deeplift", (x, t) -> plain.deeplift(x, new double[8], t, false));
        checkTiny("deeplift[rule=reveal_cancel]", (x, t) -> plain.deeplift(x, new double[8], t, true));
        double[] ones = new double[8];
        Arrays.fill(ones, 1.0);
        checkTiny("deeplift[baseline=one]", (x, t) -> plain.deeplift(x, ones, t, false));
    }

    // ---- the walk and the engine against the model itself ----

    @Test
    void theWalkReproducesTheModelWithBatchNormFoldedAndLeavesTheModelUnchanged() {
        for (Classifier model : List.of(shipped, resnet, biasFree)) {
            try (NDManager m = manager.newSubManager()) {
                NDArray x = random(m, 5, 4, 1, model.height(), model.width());
                float[] before = model.logitsNoGrad(x).toFloatArray();
                float[] walked = Walk.of(model).forward(x).output().toFloatArray();
                assertClose(before, walked, 1e-4, model.card().id() + " walk");
                assertClose(
                        before,
                        model.logitsNoGrad(x).toFloatArray(),
                        0,
                        model.card().id() + " after the walk");
            }
        }
        long folded = Walk.of(shipped).layers().stream()
                .filter(l -> l.name().contains("+bn"))
                .count();
        assertEquals(
                3,
                folded,
                "small_cnn folds its three BatchNorms: " + Walk.of(shipped).layers());
    }

    @Test
    void aTapedLayersProductsEqualRunningTheLayerAgainAlsoWhenAskedTwice() {
        Walk walk = Walk.of(shipped);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = random(m, 8, 2, 1, shipped.height(), shipped.width());
            Walk.Record plainRecord = walk.forward(x);
            for (int i : new int[] {1, 3, walk.layers().size() - 1}) { // a convolution, a max pooling, the dense layer
                Layer layer = walk.layers().get(i);
                NDArray at = plainRecord.inputs().get(i);
                NDArray c1 = random(m, 20 + i, plainRecord.output(i).getShape().getShape())
                        .sub(0.5f);
                NDArray c2 = random(m, 40 + i, plainRecord.output(i).getShape().getShape())
                        .sub(0.5f);
                float[] want1 = Autograd.vjp(layer::forward, at, c1).toFloatArray();
                float[] want2 = Autograd.vjp(layer::forward, at, c2).toFloatArray();
                try (Autograd.Tape tape = Autograd.Tape.open()) {
                    Walk.Record taped = walk.forward(x, tape);
                    assertClose(
                            plainRecord.output(i).toFloatArray(),
                            taped.output(i).toFloatArray(),
                            0,
                            layer + " output");
                    assertClose(want1, taped.taped(i).vjp(c1).toFloatArray(), 1e-6, layer + " first product");
                    assertClose(
                            want2,
                            taped.taped(i).vjp(c2).toFloatArray(),
                            1e-6,
                            layer + " second product (no accumulation)");
                }
            }
        }
        assertTrue(!Autograd.recording(), "the tape restores the thread's grad mode");
    }

    @Test
    void theEngineWithTheChainRuleEverywhereIsTheGradient() {
        for (Classifier model : List.of(shipped, resnet)) {
            try (NDManager m = manager.newSubManager()) {
                NDArray x = random(m, 6, 3, 1, model.height(), model.width());
                int[] t = {0, 3, 7};
                float[] engine = Propagation.run(model, x, t, null, step -> Chain.INSTANCE, Propagation.Start.ONE_HOT)
                        .signal()
                        .toFloatArray();
                assertClose(
                        model.inputGradient(x, t).toFloatArray(),
                        engine,
                        1e-4,
                        model.card().id());
            }
        }
    }

    @Test
    void deconvNetDiffersFromTheGradientOnlyThroughItsReluRule() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = canvases(m);
            int[] t = {1, 2, 3};
            RuleSet deconv = step -> step.layer().kind() == Layer.Kind.RELU ? DeconvRelu.INSTANCE : Chain.INSTANCE;
            RuleSet reluAsGradient = step -> step.layer().kind() == Layer.Kind.RELU
                    ? (s, g) -> DeconvRelu.INSTANCE
                            .backward(s, g)
                            .mul(s.output().gt(0f).toType(g.getDataType(), false))
                            .add(g.minimum(0f).mul(s.output().gt(0f).toType(g.getDataType(), false)))
                    : Chain.INSTANCE;
            float[] d =
                    Explainers.fromString("deconvnet").attribute(shipped, x, t).toFloatArray();
            float[] viaSet = Propagation.run(shipped, x, t, null, deconv, Propagation.Start.ONE_HOT)
                    .signal()
                    .sum(new int[] {1})
                    .toFloatArray();
            assertClose(d, viaSet, 1e-6, "deconvnet is exactly its rule set");
            // masking the rectified signal by the forward ReLU pattern and adding back its negative part gives the
            // gradient
            float[] g = Propagation.run(shipped, x, t, null, reluAsGradient, Propagation.Start.ONE_HOT)
                    .signal()
                    .sum(new int[] {1})
                    .toFloatArray();
            assertClose(
                    Explainers.fromString("gradient").attribute(shipped, x, t).toFloatArray(), g, 1e-4, "gradient");
            double diff = 0;
            for (int i = 0; i < d.length; i++) {
                diff += Math.abs(d[i] - g[i]);
            }
            assertTrue(diff > 1e-3, "deconvnet must differ from the gradient on a trained CNN");
        }
    }

    /** A rule set that records the sum of the signal after each layer, per sample. */
    static final class Recording implements RuleSet {
        final RuleSet inner;
        final List<String> names = new ArrayList<>();
        final List<float[]> sums = new ArrayList<>();
        final List<float[]> afterRelu = new ArrayList<>();

        Recording(RuleSet inner) {
            this.inner = inner;
        }

        @Override
        public Rule ruleFor(Step step) {
            Rule r = inner.ruleFor(step);
            return (s, signal) -> {
                NDArray out = r.backward(s, signal);
                names.add(s.layer().name());
                long n = out.getShape().get(0);
                sums.add(out.reshape(n, -1)
                        .sum(new int[] {1})
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray());
                if (s.layer().kind() == Layer.Kind.RELU) {
                    afterRelu.add(new float[] {
                        out.min().toType(DataType.FLOAT32, false).getFloat(),
                        out.max().toType(DataType.FLOAT32, false).getFloat()
                    });
                }
                return out;
            };
        }

        @Override
        public List<NDArray> split(List<NDArray> outputs, NDArray joinOutput, NDArray signal) {
            return inner.split(outputs, joinOutput, signal);
        }
    }

    @Test
    void lrpZeroAndEpsilonConserveRelevanceLayerByLayerOnABiasFreeNetwork() {
        for (String spec : List.of("lrp[rule=zero]", "lrp[rule=epsilon]")) {
            try (NDManager m = manager.newSubManager()) {
                NDArray x = random(m, 8, 4, 1, 16, 16);
                int[] t = {0, 1, 2, 3};
                Lrp lrp = (Lrp) Explainers.fromString(spec);
                Recording rec = new Recording(lrp.rules());
                Propagation.Result r = Propagation.run(biasFree, x, t, null, rec, Propagation.Start.TARGET_LOGIT);
                float[] logits = r.logits().toFloatArray();
                for (int layer = 0; layer < rec.sums.size(); layer++) {
                    for (int i = 0; i < 4; i++) {
                        float target = logits[i * 10 + t[i]];
                        assertEquals(
                                target,
                                rec.sums.get(layer)[i],
                                1e-4 * Math.max(1, Math.abs(target)),
                                spec + ": relevance after " + rec.names.get(layer) + ", sample " + i);
                    }
                }
                assertEquals(9, rec.sums.size(), "every layer recorded: " + rec.names);
            }
        }
    }

    /**
     * Residual joins split relevance in proportion to the branch outputs; with LRP-0 and no bias every
     * rule conserves, so the pixels receive exactly the relevance that entered the head. LRP-0 is
     * numerically unstable where branch outputs nearly cancel (relevances of +-300 for a total of 1
     * were seen), so this runs in float64.
     */
    @Test
    void lrpWithoutBiasConservesAcrossResidualJoins() {
        try (Classifier dbl = TestModels.toDouble(resnet);
                NDManager m = manager.newSubManager()) {
            NDArray x = random(m, 9, 3, 1, 32, 32).toType(DataType.FLOAT64, false);
            int[] t = {0, 4, 9};
            Recording rec = new Recording(((Lrp) Explainers.fromString("lrp[rule=zero,bias=false]")).rules());
            Propagation.Result r = Propagation.run(dbl, x, t, null, rec, Propagation.Start.TARGET_LOGIT);
            double[] pixels = r.signal().reshape(3, -1).sum(new int[] {1}).toDoubleArray();
            float[] enteringHead = rec.sums.get(0);
            assertTrue(
                    rec.names.stream().anyMatch(n -> n.startsWith("block2.shortcut")),
                    "the walk went through both branches: " + rec.names);
            for (int i = 0; i < 3; i++) {
                assertEquals(enteringHead[i], pixels[i], 1e-5 * Math.max(1, Math.abs(enteringHead[i])), "sample " + i);
            }
        }
    }

    @Test
    void deepLiftSumsToTheDifferenceOfTheOutputs() {
        for (Classifier model : List.of(shipped, resnet)) {
            try (NDManager m = manager.newSubManager()) {
                assertDeepLiftComplete(model, model == shipped ? canvases(m) : random(m, 10, 3, 1, 32, 32));
            }
        }
    }

    @Test
    void deepLiftSumsToTheDifferenceThroughOverlappingMaxPooling() {
        // torchvision ResNet-18's stem pools 3x3 windows with stride 2: a position can be the max of
        // several windows, so the rule must not mix the windows' changes; black canvas backgrounds
        // make the input equal the reference in many windows
        try (NDManager m = manager.newSubManager()) {
            assertDeepLiftComplete(resnet18, canvases(m));
        }
    }

    @Test
    void aSharedReferenceRoutesLikeTheSameReferencePerSample() {
        // the zero reference is walked once for the batch; through max pooling it is routed by spreading each
        // window's signal over its window at the reference's max (the shipped CNN's 2x2 windows tile) or by a
        // forward of the reference broadcast to the batch (ResNet-18's overlapping 3x3 windows)
        RuleSet rules = ((DeepLift) Explainers.fromString("deeplift")).rules();
        try (NDManager m = manager.newSubManager()) {
            for (Classifier model : List.of(shipped, resnet18)) {
                NDArray x = canvases(m);
                int[] t = {0, 1, 2};
                float[] shared = Propagation.run(
                                model, x, t, x.get("0:1").zerosLike(), rules, Propagation.Start.ONE_HOT)
                        .signal()
                        .toFloatArray();
                float[] perSample = Propagation.run(model, x, t, x.zerosLike(), rules, Propagation.Start.ONE_HOT)
                        .signal()
                        .toFloatArray();
                assertTrue(
                        IntStream.range(0, perSample.length).anyMatch(i -> Math.abs(perSample[i]) > 1e-3),
                        model.card().id() + ": an all-zero signal");
                assertClose(perSample, shared, 1e-5, model.card().id());
            }
        }
    }

    /** DeepLIFT's maps of three samples sum to {@code f(x) - f(reference)} of their targets, for every rule and baseline. */
    static void assertDeepLiftComplete(Classifier model, NDArray x) {
        for (String spec : List.of("deeplift", "deeplift[rule=reveal_cancel]", "deeplift[baseline=mean]")) {
            int[] t = {0, 1, 2};
            Explainer e = Explainers.fromString(spec);
            float[] maps = e.attribute(model, x, t).toFloatArray();
            NDArray ref = (spec.contains("mean") ? Baseline.MEAN : Baseline.ZERO).of(x);
            float[] fx = model.logitsNoGrad(x).toFloatArray();
            float[] fr = model.logitsNoGrad(ref).toFloatArray();
            int hw = model.height() * model.width();
            int k = model.numClasses();
            for (int i = 0; i < 3; i++) {
                double sum = 0;
                for (int p = 0; p < hw; p++) {
                    sum += maps[i * hw + p];
                }
                double delta = fx[i * k + t[i]] - fr[i * k + t[i]];
                assertTrue(
                        Math.abs(delta) > 1e-2,
                        model.card().id() + " sample " + i + ": a difference too small to test: " + delta);
                assertEquals(
                        delta,
                        sum,
                        2e-3 * Math.max(1, Math.abs(delta)),
                        model.card().id() + " " + spec + " sample " + i);
            }
        }
    }

    @Test
    void lrpCompositesStayFiniteWhereWholeWindowsAreZero() {
        // the canvases' black backgrounds make z+ = 0 exactly after the first ReLU: the division must not leak inf or
        // NaN
        try (NDManager m = manager.newSubManager()) {
            NDArray x = canvases(m);
            for (String composite : Lrp.COMPOSITES.keySet()) {
                float[] map = Explainers.fromString("lrp[composite=" + composite + "]")
                        .attribute(shipped, x, new int[] {0, 1, 2})
                        .toFloatArray();
                double total = 0;
                for (float v : map) {
                    assertTrue(Float.isFinite(v), composite + ": a non-finite relevance");
                    total += Math.abs(v);
                }
                assertTrue(total > 0, composite + ": an all-zero map");
            }
        }
    }

    @Test
    void guidedBackpropSignalsAreNonNegativeBelowEveryRelu() {
        try (NDManager m = manager.newSubManager()) {
            Recording rec = new Recording(GuidedBackprop.RULES);
            Propagation.run(shipped, canvases(m), new int[] {0, 5, 9}, null, rec, Propagation.Start.ONE_HOT);
            assertEquals(3, rec.afterRelu.size());
            for (float[] s : rec.afterRelu) {
                assertTrue(s[0] >= 0f, "guided signal below a ReLU is >= 0");
                assertTrue(s[1] > 0f, "and not all zero");
            }
        }
    }

    @Test
    void badLrpParametersFailNamingTheValue() {
        assertEquals(
                "Invalid alpha/beta for LRP: alpha=2.0, beta=2.0 (need alpha - beta = 1 and beta >= 0, e.g. alpha=1,beta=0 or alpha=2,beta=1)",
                assertThrows(IllegalArgumentException.class, () -> Explainers.fromString("lrp[rule=alpha_beta,beta=2]"))
                        .getMessage());
        assertEquals(
                "Invalid rule for lrp: zero together with composite=epsilon_plus (give either a rule or a composite; override layers with conv=, dense=, first=)",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Explainers.fromString("lrp[rule=zero,composite=epsilon_plus]"))
                        .getMessage());
        assertEquals(
                "Invalid composite for lrp: flat (valid: epsilon_alpha2_beta1, epsilon_gamma_box, epsilon_plus, none)",
                assertThrows(IllegalArgumentException.class, () -> Explainers.fromString("lrp[composite=flat]"))
                        .getMessage());
        assertEquals(
                "lrp[bias=true,conv=gamma,dense=epsilon,epsilon=1.0E-6,first=zb,gamma=0.25]",
                Explainers.fromString("lrp[composite=epsilon_gamma_box]").spec());
        assertEquals(
                "lrp[bias=true,conv=zero,dense=zero,first=same]",
                Explainers.fromString("lrp[rule=zero]").spec());
    }
}
