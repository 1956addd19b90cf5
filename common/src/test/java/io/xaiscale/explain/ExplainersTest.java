package io.xaiscale.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.TestModels;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * The registries and the docs agree: every registered method and metric is documented with its
     * canonical default spec (so a default changed in code and not in the docs fails here), and every
     * spec the docs' tables name is registered.
     */
    @Test
    void everyRegisteredMethodAndMetricIsDocumentedWithItsDefaults() throws IOException {
        assertDocumented(
                Path.of("docs/methods.md"),
                Explainers.names(),
                n -> Explainers.fromString(n).spec());
        // a path resolved on this machine is written <abs path> in the docs
        assertDocumented(
                Path.of("docs/metrics.md"),
                Metrics.names(),
                n -> Metrics.fromString(n).spec().replaceAll("model=/[^,\\]]*", "model=<abs path>"));
    }

    static void assertDocumented(Path rel, List<String> names, Function<String, String> canonical) throws IOException {
        String doc = Files.readString(TestModels.locate(rel.toString()));
        for (String name : names) {
            String spec = canonical.apply(name);
            assertTrue(
                    doc.contains("`" + spec + "`"),
                    rel + " documents " + name + " as `" + spec + "` (its canonical default spec)");
        }
        // the first column of the rows of every table headed "spec": a registered name
        Pattern name = Pattern.compile("^\\| `([a-z_]+)[\\[`]");
        List<String> documented = new ArrayList<>();
        boolean specTable = false;
        for (String line : doc.split("\n")) {
            if (!line.startsWith("|")) {
                specTable = false;
            } else if (line.startsWith("| spec")) {
                specTable = true;
            } else if (specTable) {
                Matcher m = name.matcher(line);
                if (m.find()) {
                    documented.add(m.group(1));
                }
            }
        }
        assertFalse(documented.isEmpty(), rel + " has tables of specs");
        for (String d : documented) {
            assertTrue(
                    names.contains(d), rel + " documents `" + d + "`, which is not registered (valid: " + names + ")");
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
                Metrics.names(),
                Metrics.listFromString("all").stream().map(Metric::name).toList());
    }

    @Test
    void badSpecsFailNamingTheValueAndTheValidChoices() {
        String valid = String.join(", ", Explainers.names());
        assertEquals("Unknown explanation method: shap (valid: " + valid + ")", error("gradient,shap"));
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
        assertEquals("No explanation method given (valid: " + valid + ")", error(" "));
    }
}
