package io.xaiscale.explain;

import ai.djl.ndarray.NDArray;

/**
 * What an explainer returns for a batch: maps {@code [N, H, W]}, the class each map explains, and the
 * logits {@code [N, K]} of the unchanged inputs when the method saw them (always when the targets were
 * the predicted classes; null when given targets let the method skip a clean forward pass). Methods
 * whose maps are coarser than the input (the CAM family: one value per cell of a feature layer) also
 * give {@code coarse}, the maps {@code [N, h, w]} before {@link io.xaiscale.image.Upsample#bilinear}
 * made {@code maps} of them (null otherwise): storing those is exact and smaller.
 */
public record Attribution(NDArray maps, int[] targets, NDArray logits, NDArray coarse) {
    /** A method whose maps are at the input's resolution. */
    public Attribution(NDArray maps, int[] targets, NDArray logits) {
        this(maps, targets, logits, null);
    }
}
