package io.xaiscale.explain;

import ai.djl.ndarray.NDArray;

/**
 * What an explainer returns for a batch: maps {@code [N, H, W]}, the class each map explains, and the
 * logits {@code [N, K]} of the unchanged inputs when the method saw them (always when the targets were
 * the predicted classes; null when given targets let the method skip a clean forward pass).
 */
public record Attribution(NDArray maps, int[] targets, NDArray logits) {}
