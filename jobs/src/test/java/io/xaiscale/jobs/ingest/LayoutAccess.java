package io.xaiscale.jobs.ingest;

import io.xaiscale.image.ImageCodec;
import java.io.IOException;
import java.util.List;

/** Test access to the package's layout readers. */
public final class LayoutAccess {
    private LayoutAccess() {}

    public static byte[] vocSegmentation(byte[] png, List<String> classes) throws IOException {
        return Layout.vocSegmentation(png, classes, ImageCodec.DEFAULT_MAX_PIXELS);
    }
}
