package io.xaiscale.util;

import java.util.Iterator;
import java.util.function.Function;

/** Lazy iterators: what a Spark partition function returns over its input. */
public final class Iterators {
    private Iterators() {}

    /** {@code f} of each element of {@code in}, one at a time as the caller asks. */
    public static <A, B> Iterator<B> map(Iterator<A> in, Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                return f.apply(in.next());
            }
        };
    }
}
