package io.xaiscale.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the parameters of one {@link Spec} with defaults and rules, remembers every resolved value
 * (defaults included, so outputs record what really ran), and rejects unknown keys naming the valid
 * ones.
 */
public final class ParamReader {
    private final Spec spec;
    private final Map<String, Object> resolved = new TreeMap<>();
    private final Set<String> known = new HashSet<>();

    public ParamReader(Spec spec) {
        this.spec = spec;
    }

    public int getInt(String key, int def, int min, int max) {
        known.add(key);
        String raw = spec.args().get(key);
        int v;
        if (raw == null) {
            v = def;
        } else {
            try {
                v = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                throw invalid(key, raw, "must be an integer");
            }
        }
        if (v < min || v > max) {
            throw invalid(key, raw == null ? String.valueOf(v) : raw, "must be in [" + min + ", " + max + "]");
        }
        resolved.put(key, v);
        return v;
    }

    public long getLong(String key, long def) {
        known.add(key);
        String raw = spec.args().get(key);
        long v;
        try {
            v = raw == null ? def : Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw invalid(key, raw, "must be an integer");
        }
        resolved.put(key, v);
        return v;
    }

    /** A double in the open/closed range given by {@code min} (exclusive if {@code minOpen}) and {@code max}. */
    public double getDouble(String key, double def, double min, boolean minOpen, double max) {
        known.add(key);
        String raw = spec.args().get(key);
        double v;
        try {
            v = raw == null ? def : Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            throw invalid(key, raw, "must be a number");
        }
        boolean low = minOpen ? v > min : v >= min;
        if (!low || v > max || Double.isNaN(v)) {
            throw invalid(
                    key,
                    raw == null ? String.valueOf(v) : raw,
                    "must be in " + (minOpen ? "(" : "[") + min + ", " + max + "]");
        }
        resolved.put(key, v);
        return v;
    }

    public String getChoice(String key, String def, List<String> choices) {
        known.add(key);
        String v = spec.args().getOrDefault(key, def);
        if (!choices.contains(v)) {
            throw invalid(key, v, "valid: " + String.join(", ", choices));
        }
        resolved.put(key, v);
        return v;
    }

    /** A choice among the constants of {@code type}, written in lower case ({@link Choices}). */
    public <E extends Enum<E>> E getEnum(String key, E def, Class<E> type) {
        String v = getChoice(key, Choices.spec(def), Choices.names(type));
        return Choices.parse(type, v, key);
    }

    /** A free string (e.g. a layer name checked later against the model). */
    public String getString(String key, String def) {
        known.add(key);
        String v = spec.args().getOrDefault(key, def);
        resolved.put(key, v);
        return v;
    }

    /** Records a nested value (e.g. the canonical spec of a wrapped method). */
    public void record(String key, Object value) {
        known.add(key);
        resolved.put(key, value);
    }

    /**
     * Drops {@code key} from the recorded values while keeping it a valid parameter: for shorthands
     * whose effect is recorded through other keys, and values that do not change the output.
     */
    public void forget(String key) {
        known.add(key);
        resolved.remove(key);
    }

    public String raw(String key) {
        return spec.args().get(key);
    }

    /** The values read so far, defaults included, sorted by key. */
    public Map<String, Object> resolved() {
        return Collections.unmodifiableMap(resolved);
    }

    /** Fails on any parameter that was given but never read; returns the resolved values. */
    public Map<String, Object> finish() {
        for (String key : spec.args().keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("Unknown parameter '" + key + "' for " + spec.name() + " (valid: "
                        + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + ")");
            }
        }
        return Collections.unmodifiableMap(resolved);
    }

    private IllegalArgumentException invalid(String key, String value, String rule) {
        return new IllegalArgumentException(
                "Invalid " + key + " for " + spec.name() + ": " + value + " (" + rule + ")");
    }
}
