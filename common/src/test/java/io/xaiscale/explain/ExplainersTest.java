package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExplainersTest {
    static String error(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> Explainers.listFromString(spec))
                .getMessage();
    }

    @Test
    void canonicalSpecsRecordEveryDefault() {
        assertEquals(
                "integrated_gradients[baseline=zero,steps=32]",
                Explainers.fromString("integrated_gradients").spec());
        assertEquals(
                "smoothgrad[base=integrated_gradients[baseline=zero,steps=8],noise=0.15,samples=4,seed=0]",
                Explainers.fromString("smoothgrad[base=integrated_gradients[steps=8],samples=4]")
                        .spec());
        assertEquals(
                "occlusion[fill=0.0,stride=4,window=8]",
                Explainers.fromString("occlusion").spec());
        assertEquals("grad_cam[layer=auto]", Explainers.fromString("grad_cam").spec());
        assertEquals("gradient", Explainers.fromString("gradient").spec());
        // a canonical spec parses back to itself
        for (String name : Explainers.names()) {
            String spec = Explainers.fromString(name).spec();
            assertEquals(spec, Explainers.fromString(spec).spec());
        }
    }

    @Test
    void listsSplitOnTopLevelCommasOnly() {
        List<Explainer> l = Explainers.listFromString(
                "gradient, smoothgrad[base=gradient_x_input,samples=2], occlusion[window=4,stride=2]");
        assertEquals(
                List.of("gradient", "smoothgrad", "occlusion"),
                l.stream().map(Explainer::name).toList());
    }

    @Test
    void allMeansEveryRegisteredNameWithItsDefaults() {
        assertEquals(
                Explainers.names(),
                Explainers.listFromString(" all ").stream().map(Explainer::name).toList());
        assertEquals(
                io.xaiscale.metric.Metrics.names(),
                io.xaiscale.metric.Metrics.listFromString("all").stream()
                        .map(io.xaiscale.metric.Metric::name)
                        .toList());
    }

    @Test
    void badSpecsFailNamingTheValueAndTheValidChoices() {
        assertEquals(
                "Unknown explanation method: shap (valid: gradient, gradient_x_input, integrated_gradients, smoothgrad, grad_cam, guided_backprop, deconvnet, lrp, deeplift, cam, guided_grad_cam, grad_cam_plus_plus, score_cam, fem, occlusion, lime, rise, meaningful_perturbation)",
                error("gradient,shap"));
        assertEquals(
                "Invalid steps for integrated_gradients: 0 (must be in [1, 4096])",
                error("integrated_gradients[steps=0]"));
        assertEquals(
                "Invalid steps for integrated_gradients: many (must be an integer)",
                error("integrated_gradients[steps=many]"));
        assertEquals(
                "Invalid baseline for integrated_gradients: gray (valid: zero, one, mean)",
                error("integrated_gradients[baseline=gray]"));
        assertEquals(
                "Unknown parameter 'stepz' for integrated_gradients (valid: baseline, steps)",
                error("integrated_gradients[stepz=3]"));
        assertEquals("Unknown parameter 'steps' for gradient (valid: none)", error("gradient[steps=3]"));
        assertEquals("Invalid noise for smoothgrad: 0 (must be in (0.0, 1.0])", error("smoothgrad[noise=0]"));
        assertEquals(
                "Invalid base for smoothgrad: smoothgrad (smoothgrad cannot wrap itself)",
                error("smoothgrad[base=smoothgrad]"));
        assertEquals("Duplicate explanation method: gradient in gradient,gradient", error("gradient,gradient"));
        assertEquals("Invalid spec list: occlusion[window=3 (unbalanced '[')", error("occlusion[window=3"));
        assertEquals("Invalid spec: occlusion[window=3]x (missing closing ']')", error("occlusion[window=3]x"));
        assertEquals(
                "No explanation method given (valid: gradient, gradient_x_input, integrated_gradients, smoothgrad, grad_cam, guided_backprop, deconvnet, lrp, deeplift, cam, guided_grad_cam, grad_cam_plus_plus, score_cam, fem, occlusion, lime, rise, meaningful_perturbation)",
                error(" "));
    }
}
