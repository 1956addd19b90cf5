package io.xaiscale.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * An explicit registry of named, configurable things (explanation methods, metrics): name to
 * factory, and a parser of specs that either returns a configured instance or fails naming the
 * value and the valid choices. No classpath scanning.
 */
public final class Registry<T extends Configured> {
    private final String kind;
    private final Map<String, Function<ParamReader, T>> factories = new LinkedHashMap<>();
    private final Map<String, Integer> raised = new ConcurrentHashMap<>();

    /** @param kind what the things are called in messages, e.g. "explanation method" */
    public Registry(String kind) {
        this.kind = kind;
    }

    public Registry<T> register(String name, Function<ParamReader, T> factory) {
        factories.put(name, factory);
        return this;
    }

    /**
     * Raises the revision of what {@code name}, a registered name, builds by {@code by} until the returned
     * handle is closed, as a fix of its class would (tests: the same method at its next revision, to
     * see exactly its rows recomputed). Every thread of the JVM sees it, Spark's local-mode executors
     * included.
     */
    public AutoCloseable raiseRevision(String name, int by) {
        if (!factories.containsKey(name)) {
            throw new IllegalArgumentException(
                    "Unknown " + kind + ": " + name + " (valid: " + String.join(", ", names()) + ")");
        }
        raised.put(name, by);
        return () -> raised.remove(name);
    }

    /** The list that means every registered name with its defaults. */
    public static final String ALL = "all";

    public List<String> names() {
        return List.copyOf(factories.keySet());
    }

    /** Parses one spec such as {@code name[key=value,...]}. */
    public T fromString(String text) {
        Spec spec = Spec.parse(text);
        Function<ParamReader, T> factory = factories.get(spec.name());
        if (factory == null) {
            throw new IllegalArgumentException(
                    "Unknown " + kind + ": " + spec.name() + " (valid: " + String.join(", ", names()) + ")");
        }
        ParamReader reader = new ParamReader(spec);
        T t = factory.apply(reader);
        reader.finish();
        t.raise(raised.getOrDefault(spec.name(), 0));
        return t;
    }

    /** Parses a comma-separated list of specs, or {@code all} (every name with its defaults); the same canonical spec twice is rejected. */
    public List<T> listFromString(String text) {
        if (text != null && text.trim().equals(ALL)) {
            return listFromString(String.join(",", names()));
        }
        List<T> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String s : Spec.splitTopLevel(text == null ? "" : text, ',')) {
            T t = fromString(s);
            if (seen.contains(t.spec())) {
                throw new IllegalArgumentException("Duplicate " + kind + ": " + t.spec() + " in " + text);
            }
            seen.add(t.spec());
            out.add(t);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No " + kind + " given (valid: " + String.join(", ", names()) + ")");
        }
        return out;
    }
}
