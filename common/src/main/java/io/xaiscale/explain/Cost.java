package io.xaiscale.explain;

/**
 * The least work a method needs per image, in model passes: {@code backward} forward+backward passes
 * ("fb") and {@code forward} forward-only passes ("f"). The bench sets the measured cost next to it.
 */
public record Cost(double backward, double forward) {
    public static Cost forwards(double n) {
        return new Cost(0, n);
    }

    public static Cost backwards(double n) {
        return new Cost(n, 0);
    }

    public Cost plus(Cost o) {
        return new Cost(backward + o.backward, forward + o.forward);
    }

    public Cost times(double k) {
        return new Cost(backward * k, forward * k);
    }

    @Override
    public String toString() {
        String fb = backward > 0 ? number(backward) + " fb" : "";
        String f = forward > 0 ? number(forward) + " f" : "";
        return fb.isEmpty() ? (f.isEmpty() ? "0 f" : f) : (f.isEmpty() ? fb : fb + " + " + f);
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
