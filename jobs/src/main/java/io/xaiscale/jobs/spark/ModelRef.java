package io.xaiscale.jobs.spark;

import java.io.Serializable;

/**
 * Which model a stage's executors load ({@code uri} of the model directory, {@code key} =
 * {@code id@version} from its card, checked after loading) and the internal batch size its methods
 * and metrics cut their stacks into.
 */
public record ModelRef(String uri, String key, int internalBatchSize) implements Serializable {}
