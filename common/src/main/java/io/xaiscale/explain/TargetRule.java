package io.xaiscale.explain;

import io.xaiscale.config.Choices;
import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Spec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which classes a job explains for each image (option {@code --target}, a comma-separated list):
 * {@code predicted} (the model's prediction), {@code label} (the image's label), {@code labels}
 * (every class of the image's ground truth, one map each) and {@code top_k[k=3]} (the k most probable
 * classes, one map each). A rule yields <em>targets</em>: {@code predicted}, {@code top_2} ...
 * {@code top_k}, {@code label}, {@code class_7}; one map per image, method and target, the target
 * written in the {@code target_rule} column and in the map's parameters (so in its key).
 * {@code top_k}'s first target is {@code predicted}: the same map as the {@code predicted} rule's.
 */
public record TargetRule(Kind kind, int k) implements Serializable {
    public enum Kind {
        PREDICTED,
        LABEL,
        LABELS,
        TOP_K
    }

    public static final TargetRule PREDICTED = new TargetRule(Kind.PREDICTED, 1);
    public static final TargetRule LABEL = new TargetRule(Kind.LABEL, 1);
    public static final TargetRule LABELS = new TargetRule(Kind.LABELS, 0);

    /** The largest k of {@code top_k}. */
    public static final int MAX_K = 100;

    static final String CHOICES = "predicted, label, labels, top_k[k=3]";
    static final String TOP = "top_";
    static final String CLASS = "class_";

    /** As written in options. */
    public String spec() {
        return kind == Kind.TOP_K ? "top_k[k=" + k + "]" : Choices.spec(kind);
    }

    /**
     * The targets this rule gives every image alike ({@code labels}: none, its targets depend on the
     * image: {@link #classTarget}).
     */
    public List<String> fixedTargets() {
        switch (kind) {
            case PREDICTED:
                return List.of("predicted");
            case LABEL:
                return List.of("label");
            case TOP_K: {
                List<String> t = new ArrayList<>(List.of("predicted"));
                for (int r = 2; r <= k; r++) {
                    t.add(TOP + r);
                }
                return t;
            }
            default:
                return List.of();
        }
    }

    /** The target of a map of ground-truth class {@code c} (rule {@code labels}). */
    public static String classTarget(int c) {
        return CLASS + c;
    }

    /** The class a {@code class_c} target names; -1 for other targets. */
    public static int classOf(String target) {
        return target.startsWith(CLASS) ? Integer.parseInt(target.substring(CLASS.length())) : -1;
    }

    /** The rank (1 = most probable) a {@code predicted} or {@code top_r} target names; 0 for other targets. */
    public static int rankOf(String target) {
        if (target.equals("predicted")) {
            return 1;
        }
        return target.startsWith(TOP) ? Integer.parseInt(target.substring(TOP.length())) : 0;
    }

    /** Parses one rule; fails naming the value and the choices. */
    public static TargetRule parse(String text) {
        Spec spec;
        try {
            spec = Spec.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(text);
        }
        switch (spec.name()) {
            case "predicted":
            case "label":
            case "labels":
                if (!spec.args().isEmpty()) {
                    throw new IllegalArgumentException(
                            "Invalid target: " + text + " (" + spec.name() + " takes no parameters)");
                }
                return spec.name().equals("predicted") ? PREDICTED : spec.name().equals("label") ? LABEL : LABELS;
            case "top_k": {
                ParamReader p = new ParamReader(spec);
                int k = p.getInt("k", 3, 1, MAX_K);
                p.finish();
                return new TargetRule(Kind.TOP_K, k);
            }
            default:
                throw invalid(text);
        }
    }

    /** Parses a comma-separated list of rules (at least one; repeated ones count once). */
    public static List<TargetRule> parseList(String text) {
        Set<TargetRule> rules = new LinkedHashSet<>();
        for (String part : Spec.splitTopLevel(text == null ? "" : text, ',')) {
            rules.add(parse(part));
        }
        if (rules.isEmpty()) {
            throw invalid(text);
        }
        return List.copyOf(rules);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("Invalid target: " + text + " (valid: " + CHOICES + ")");
    }
}
