package io.xaiscale.config;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Something selected by a spec and configured by its parameters (an explanation method, a metric):
 * its registry name and every resolved parameter, defaults included, which outputs record.
 */
public abstract class Configured {
    private final String name;
    private final ParamReader reader;

    /** Subclasses read their parameters from {@code reader} in their constructor. */
    protected Configured(String name, ParamReader reader) {
        this.name = name;
        this.reader = reader;
    }

    /** Registry name, e.g. {@code integrated_gradients}. */
    public final String name() {
        return name;
    }

    /** Every parameter that determines the output, defaults included, sorted by key. */
    public final Map<String, Object> params() {
        return reader.resolved();
    }

    /** What {@link Registry#raiseRevision} adds to the declared revision (tests). */
    private int raisedBy;

    /**
     * The revision of this implementation's numbers as its class declares it: 1 until a fix changes what
     * it computes for the same spec; then the fix overrides this with the next number.
     */
    protected int declaredRevision() {
        return 1;
    }

    /**
     * The revision of the numbers this instance computes ({@link #declaredRevision}). From 2 on it is part
     * of the hash the rows are keyed by ({@link #hash}), so the next run computes the affected rows again
     * and the older ones are superseded (the jobs move them to the {@code superseded_} tables). A method
     * or metric built on another adds the revisions of its parts beyond their first ({@link
     * #revisionWith}), so fixing a base method recomputes its wrappers too.
     */
    public int revision() {
        return declaredRevision() + raisedBy;
    }

    /** Raises this instance's revision by {@code by} ({@link Registry#raiseRevision}). */
    final void raise(int by) {
        raisedBy = by;
    }

    /** {@code own}, plus what each part's revision adds beyond 1: a wrapper's {@link #revision}. */
    protected static int revisionWith(int own, Configured... parts) {
        int r = own;
        for (Configured p : parts) {
            r += p.revision() - 1;
        }
        return r;
    }

    /**
     * The hash of this name and {@code json} (its parameters, and whatever else the caller keys rows by)
     * at this {@link #revision}: {@link Params#hash}{@code (name, json)} at revision 1, so the rows of
     * every method and metric at its first revision keep their keys.
     */
    public final String hash(String json) {
        return Params.hash(name, revision(), json);
    }

    /** Canonical spec: name plus every resolved parameter, parseable back to an equal instance. */
    public final String spec() {
        Map<String, Object> p = params();
        if (p.isEmpty()) {
            return name;
        }
        return name
                + p.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",", "[", "]"));
    }

    @Override
    public String toString() {
        return spec();
    }
}
