package io.xaiscale.util;

/**
 * Names that come from data (a model card's id and version, a layer, a notebook) as one path
 * segment: letters, digits, {@code _ . -} kept, anything else (a slash, {@code ..}, a space, a
 * control character) replaced by {@code _}, so a name can never leave the folder it is written in.
 */
public final class FileNames {
    private FileNames() {}

    public static String safe(String name) {
        String s = String.valueOf(name).replaceAll("[^A-Za-z0-9_.-]", "_");
        // a segment of dots only would name this folder or its parent
        return s.isEmpty() || s.matches("\\.+") ? "_" + s : s;
    }
}
