package io.xaiscale.jobs.stage;

import io.xaiscale.jobs.runtime.ModelRef;
import java.io.Serializable;

/**
 * What every stage is run with: the warehouse, the model its executors load (null for stages that
 * need none), items per batch, partitions per commit (0: chosen from the work and the cores), items
 * per Delta commit (a crash loses at most one commit's work) and whether rows with an error are
 * computed again and replaced ({@code --retry-errors}).
 */
public record StageSettings(
        String warehouse, ModelRef model, int batchSize, int partitions, long commitEvery, boolean retryErrors)
        implements Serializable {}
