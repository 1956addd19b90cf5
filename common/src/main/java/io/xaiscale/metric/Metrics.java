package io.xaiscale.metric;

import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Spec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The registry of metrics: explicit name-to-factory map plus parser, like {@code Explainers}. */
public final class Metrics {
    private static final Map<String, Function<ParamReader, Metric>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put(DeletionInsertion.DELETION, p -> new DeletionInsertion(true, p));
        FACTORIES.put(DeletionInsertion.INSERTION, p -> new DeletionInsertion(false, p));
        FACTORIES.put(IoU.NAME, IoU::new);
        FACTORIES.put(PointingGame.NAME, PointingGame::new);
    }

    public static final String DEFAULT_METRICS = "deletion_auc,insertion_auc,iou,pointing_game";

    private Metrics() {}

    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    public static Metric fromString(String text) {
        Spec spec = Spec.parse(text);
        Function<ParamReader, Metric> factory = FACTORIES.get(spec.name());
        if (factory == null) {
            throw new IllegalArgumentException("Unknown metric: " + spec.name() + " (valid: " + String.join(", ", names()) + ")");
        }
        ParamReader reader = new ParamReader(spec);
        Metric m = factory.apply(reader);
        reader.finish();
        return m;
    }

    public static List<Metric> listFromString(String text) {
        List<Metric> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String s : Spec.splitTopLevel(text == null ? "" : text, ',')) {
            Metric m = fromString(s);
            if (seen.contains(m.spec())) {
                throw new IllegalArgumentException("Duplicate metric: " + m.spec() + " in " + text);
            }
            seen.add(m.spec());
            out.add(m);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No metric given (valid: " + String.join(", ", names()) + ")");
        }
        return out;
    }
}
