package io.xaiscale.jobs.spark;

import java.io.Serializable;

/**
 * Which model a stage's executors load ({@code uri} of the model directory, {@code key} =
 * {@code id@version} from its card, checked after loading; {@code weightsSha256}, the hash of the
 * weights the driver checked, null when unchecked) and the internal batch size its methods and
 * metrics cut their stacks into.
 */
public record ModelRef(String uri, String key, String weightsSha256, int internalBatchSize) implements Serializable {}
