package io.xaiscale.jobs.ingest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Paths under an ingest source: a listed file's path relative to the source, and a manifest's path
 * written any usual way ({@code ./a/x.png}, {@code a//x.png}, {@code a\x.png}, the absolute path or
 * the full URI of a file under the source) normalised to that same relative form before matching.
 */
final class SourcePaths {
    /** Extensions read as images (ImageIO's readers of the JDK): anything else is listed as not an image. */
    static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff");

    /** A manifest path relative to the source, or the reason it names no file under it. */
    record Normalised(String relative, String problem) {}

    private final String prefix; // qualified source with a trailing '/': file:/data/x/, s3a://bucket/p/
    private final String localPrefix; // for file: sources, the same as a plain absolute path; else null

    SourcePaths(String qualifiedSource) {
        this.prefix = qualifiedSource.endsWith("/") ? qualifiedSource : qualifiedSource + "/";
        this.localPrefix = prefix.startsWith("file:") ? stripFileScheme(prefix) : null;
    }

    String prefix() {
        return prefix;
    }

    /** The path of a listed file (a qualified URI under the source) relative to the source. */
    String relative(String fileUri) {
        return fileUri.startsWith(prefix) ? fileUri.substring(prefix.length()) : fileUri;
    }

    /** What a listed file is not, when it is not an image to read: hidden, or its extension; null for an image. */
    static String skipReason(String relative) {
        for (String segment : relative.split("/")) {
            if (segment.startsWith(".")) {
                return "hidden";
            }
        }
        return IMAGE_EXTENSIONS.contains(extension(relative)) ? null : "not_an_image";
    }

    static String extension(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** A manifest's {@code path} value as a path relative to the source. */
    Normalised normalise(String raw) {
        String p = raw.strip().replace('\\', '/');
        if (p.isEmpty()) {
            return new Normalised(null, "empty path");
        }
        if (p.startsWith(prefix)) {
            p = p.substring(prefix.length());
        } else if (p.startsWith("file:")) {
            String local = stripFileScheme(p);
            if (localPrefix == null || !local.startsWith(localPrefix)) {
                return new Normalised(null, "not under the source " + prefix);
            }
            p = local.substring(localPrefix.length());
        } else if (p.startsWith("/")) {
            if (localPrefix == null || !p.startsWith(localPrefix)) {
                return new Normalised(null, "not under the source " + prefix);
            }
            p = p.substring(localPrefix.length());
        } else if (p.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            return new Normalised(null, "not under the source " + prefix);
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String s : p.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (parts.isEmpty()) {
                    return new Normalised(null, "climbs out of the source " + prefix);
                }
                parts.removeLast();
            } else {
                parts.addLast(s);
            }
        }
        if (parts.isEmpty()) {
            return new Normalised(null, "names the source folder, not a file");
        }
        return new Normalised(String.join("/", parts), null);
    }

    /** {@code file:/a/b}, {@code file:///a/b} and {@code file://localhost/a/b} as {@code /a/b}. */
    private static String stripFileScheme(String uri) {
        String p = uri.substring("file:".length());
        if (p.startsWith("//")) {
            int slash = p.indexOf('/', 2);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        return p;
    }
}
