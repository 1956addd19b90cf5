package io.xaiscale.config;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Something selected by a spec and configured by its parameters (an explanation method, a metric):
 * its registry name and every resolved parameter, defaults included, which outputs record.
 */
public abstract class Configured {
    private final String name;
    private final ParamReader reader;

    /** Subclasses read their parameters from {@code reader} in their constructor. */
    protected Configured(String name, ParamReader reader) {
        this.name = name;
        this.reader = reader;
    }

    /** Registry name, e.g. {@code integrated_gradients}. */
    public final String name() {
        return name;
    }

    /** Every parameter that determines the output, defaults included, sorted by key. */
    public final Map<String, Object> params() {
        return reader.resolved();
    }

    /** Canonical spec: name plus every resolved parameter, parseable back to an equal instance. */
    public final String spec() {
        Map<String, Object> p = params();
        if (p.isEmpty()) {
            return name;
        }
        return name
                + p.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",", "[", "]"));
    }

    @Override
    public String toString() {
        return spec();
    }
}
