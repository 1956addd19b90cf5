package io.xaiscale.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the tables store of every registered method and metric at its defaults stays byte-identical
 * across refactorings: its canonical spec, the hash of its parameters (rows are keyed by it: another
 * hash would recompute everything and orphan the old rows) and, for a metric, the family of every
 * output (the notebooks and the report group by it) and its traits (higher_is_better is stored, the
 * others decide what the evaluate stage runs). The expected lines are
 * {@code src/test/resources/stored-identity.txt}; a deliberate change (a new method, a new default)
 * rewrites them with {@code -Dxai.writeStoredIdentity=true} and shows up in the diff of that file.
 */
class StoredIdentityTest {
    static List<String> lines() {
        List<String> out = new ArrayList<>();
        for (String n : Explainers.names()) {
            Explainer e = Explainers.fromString(n);
            out.add("method " + e.spec() + " " + e.hash(Params.json(e.params())));
        }
        for (String n : Metrics.names()) {
            Metric m = Metrics.fromString(n);
            StringBuilder families = new StringBuilder();
            for (String o : m.outputs()) {
                families.append(' ').append(o).append('=').append(Metrics.family(o));
            }
            // a spec holding a path of this checkout (data_randomization's model) depends on where it is
            String cwd = Path.of("").toAbsolutePath().toString();
            String hash = m.spec().contains(cwd) ? "(path)" : m.hash(Params.json(m.params()));
            String traits = " model=" + m.needsModel() + " method=" + m.needsMethod() + " higher=" + m.higherIsBetter()
                    + " ground_truth=" + m.usesGroundTruth();
            out.add("metric " + m.spec().replace(cwd, "<cwd>") + " " + hash + families + traits);
        }
        return out;
    }

    @Test
    void everyDefaultSpecItsHashAndEveryMetricFamilyAreAsStored() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("common/src/test/resources"))) {
            dir = dir.getParent();
        }
        Path file = dir.resolve("common/src/test/resources/stored-identity.txt");
        if (Boolean.getBoolean("xai.writeStoredIdentity")) {
            Files.write(file, lines());
        }
        assertEquals(String.join("\n", Files.readAllLines(file)), String.join("\n", lines()));
    }
}
