package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * Temporary native-memory scopes for the steps of a method: every array a step creates lives in a
 * child manager that closes when the step ends; only the step's result moves to the caller's
 * manager. Without this, the activations of every chunk of a long stack (IG steps, occlusion
 * windows) would stay alive until the whole batch ends.
 */
public final class Scopes {
    private Scopes() {}

    /** Runs {@code step} on {@code input} (moved into a temporary scope) and keeps only the result. */
    public static NDArray step(NDArray input, NDManager owner, UnaryOperator<NDArray> step) {
        try (NDManager tmp = owner.newSubManager()) {
            input.attach(tmp);
            NDArray out = step.apply(input);
            out.attach(owner);
            return out;
        }
    }
}
