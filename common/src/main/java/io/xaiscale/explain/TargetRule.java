package io.xaiscale.explain;

import io.xaiscale.config.Choices;

/** Which class a job explains for each image: the model's prediction, or the image's label. */
public enum TargetRule {
    PREDICTED,
    LABEL;

    /** As written in options and in the {@code target_rule} column. */
    public String spec() {
        return Choices.spec(this);
    }

    /** Parses an option value; fails naming the value and the choices. */
    public static TargetRule parse(String text) {
        return Choices.parse(TargetRule.class, text, "target");
    }
}
