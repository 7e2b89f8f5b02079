package io.zeroframe.dmabuf.negotiation;

import java.util.List;

/**
 * The {@link Planner} found no plan: no format and layout every endpoint takes, no way to share buffers (a
 * producer that neither exports nor imports) and no copying allowed, or a refusal that no other allocation can
 * fix. The message says which, lists every endpoint's offers, and every candidate not taken with its reason.
 * A checked exception: a pipeline must decide what to do without a plan.
 */
public final class NoPlanException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Rejection> rejected;

    NoPlanException(String message, List<Rejection> rejected) {
        super(message);
        this.rejected = List.copyOf(rejected);
    }

    /** The candidates and allocators not taken, in the order they were considered. */
    public List<Rejection> rejected() {
        return rejected;
    }
}
