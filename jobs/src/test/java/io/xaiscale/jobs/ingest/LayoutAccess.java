package io.xaiscale.jobs.ingest;

import java.io.IOException;
import java.util.List;

/** Test access to the package's layout readers. */
public final class LayoutAccess {
    private LayoutAccess() {}

    public static byte[] vocSegmentation(byte[] png, List<String> classes) throws IOException {
        return Layout.vocSegmentation(png, classes, io.xaiscale.image.ImageCodec.DEFAULT_MAX_PIXELS);
    }
}
