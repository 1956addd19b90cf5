package io.xaiscale.util;

/** Error messages for rows and logs that keep every cause: never a bare "...: " or a lone class name. */
public final class Errors {
    private Errors() {}

    /**
     * The messages of {@code e} and its causes, joined by ": ", each once; a cause without a message
     * is named by its class ({@code EOFException}).
     */
    public static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null || t.getMessage().isBlank()
                    ? t.getClass().getSimpleName()
                    : t.getMessage().strip();
            if (out.indexOf(m) < 0) {
                if (out.length() > 0) {
                    out.append(out.charAt(out.length() - 1) == ':' ? " " : ": ");
                }
                out.append(m);
            }
        }
        return out.toString();
    }
}
