package io.xaiscale.jobs;

import io.xaiscale.config.Options;

/** One sub-command of the {@code xai} launcher. */
public interface Command {
    String name();

    String summary();

    /** Declares this command's options (with defaults and help). */
    Options options();

    void run(Options options) throws Exception;
}
