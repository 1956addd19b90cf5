package io.xaiscale.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Enums as the values of options and parameters: an enum constant {@code REVEAL_CANCEL} is written
 * {@code reveal_cancel} in specs, options and tables. Parsing fails naming the value and the choices.
 */
public final class Choices {
    private Choices() {}

    /** The spelling of {@code value} in specs and tables. */
    public static String spec(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** Every constant of {@code type}, as written in specs. */
    public static <E extends Enum<E>> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Choices::spec).toList();
    }

    /**
     * The constant of {@code type} written {@code text}; {@code what} names the thing in the error, e.g.
     * {@code "target"} gives {@code Invalid target: x (valid: predicted, label)}.
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String text, String what) {
        for (E e : type.getEnumConstants()) {
            if (spec(e).equals(text)) {
                return e;
            }
        }
        throw new IllegalArgumentException(
                "Invalid " + what + ": " + text + " (valid: " + String.join(", ", names(type)) + ")");
    }
}
