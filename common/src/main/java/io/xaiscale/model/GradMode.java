package io.xaiscale.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Per-thread autograd switch. DJL turns gradient recording off only on the thread that loaded the
 * engine; every other thread (every Spark task thread) starts with it on. Forward-only work runs in
 * {@code try (GradMode off = GradMode.off()) {...}} so it builds no autograd graph, and the previous
 * mode is restored on close.
 */
public final class GradMode implements AutoCloseable {
    static {
        Engine.getEngine("PyTorch"); // JniUtils needs the native library loaded.
    }

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    public static GradMode off() {
        return new GradMode(false);
    }

    /** Recording on for this thread (a backward pass), the previous mode restored on close. */
    public static GradMode on() {
        return new GradMode(true);
    }

    /**
     * Switches recording off for the rest of this thread's life (a pooled Spark task thread: every
     * gradient path switches it on for itself and restores it).
     */
    public static void offForThisThread() {
        JniUtils.setGradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
