package io.xaiscale.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed spec string such as {@code integrated_gradients[steps=64,baseline=zero]}: a name and
 * named parameter values. Values may themselves be specs ({@code smoothgrad[base=gradient_x_input]}).
 */
public record Spec(String name, Map<String, String> args) {

    public static Spec parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("Invalid spec: empty (expected name or name[key=value,...])");
        }
        int open = s.indexOf('[');
        if (open < 0) {
            checkName(s, text);
            return new Spec(s, Map.of());
        }
        if (!s.endsWith("]")) {
            throw new IllegalArgumentException("Invalid spec: " + text + " (missing closing ']')");
        }
        String name = s.substring(0, open).trim();
        checkName(name, text);
        Map<String, String> args = new LinkedHashMap<>();
        String body = s.substring(open + 1, s.length() - 1);
        for (String part : splitTopLevel(body, ',')) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "Invalid parameter '" + part.trim() + "' in " + text + " (expected key=value)");
            }
            String key = part.substring(0, eq).trim();
            if (args.put(key, part.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("Duplicate parameter '" + key + "' in " + text);
            }
        }
        return new Spec(name, Collections.unmodifiableMap(args));
    }

    /** The non-blank items of a comma-separated list, trimmed; commas inside a spec's brackets do not split. */
    public static List<String> items(String text) {
        return splitTopLevel(text == null ? "" : text, ',').stream()
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .toList();
    }

    /** Splits a comma-separated list of specs, respecting brackets. */
    public static List<String> splitTopLevel(String text, char sep) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
                if (depth < 0) {
                    throw new IllegalArgumentException("Invalid spec list: " + text + " (unbalanced ']')");
                }
            }
            if (c == sep && depth == 0) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("Invalid spec list: " + text + " (unbalanced '[')");
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().trim());
        }
        return out;
    }

    private static void checkName(String name, String text) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException(
                    "Invalid name '" + name + "' in spec " + text + " (use lower_snake_case)");
        }
    }
}
