package io.xaiscale.image;

/** A walk over a JPEG's marker segments before its first scan, without decoding anything. */
final class JpegSegments {
    private JpegSegments() {}

    /** A segment's marker (the byte after 0xFF), where its data starts, and where it ends (exclusive). */
    record Segment(int marker, int data, int end) {}

    /** What a walk looks for. */
    interface Wanted {
        boolean test(byte[] b, Segment s);
    }

    static boolean isJpeg(byte[] b) {
        return b != null && b.length >= 4 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8;
    }

    /** The first segment before the scan that {@code wanted} accepts; null when none does (or the bytes are not JPEG). */
    static Segment first(byte[] b, Wanted wanted) {
        if (!isJpeg(b)) {
            return null;
        }
        int at = 2;
        while (at + 4 <= b.length) {
            if ((b[at] & 0xff) != 0xff) {
                return null;
            }
            int marker = b[at + 1] & 0xff;
            if (marker == 0xff) {
                at++; // fill byte
                continue;
            }
            if (marker == 0xd9 || marker == 0xda) {
                return null; // end of image or start of scan
            }
            int length = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
            Segment s = new Segment(marker, at + 4, Math.min(b.length, at + 2 + length));
            if (s.end() > s.data() && wanted.test(b, s)) {
                return s;
            }
            at += 2 + length;
        }
        return null;
    }

    /**
     * The sample precision of a lossy (DCT) frame: 8 for almost every JPEG, 12 for the extended
     * process that medical and some raw converters write; 0 when there is no such frame.
     */
    static int dctPrecision(byte[] b) {
        Segment sof = first(
                b,
                (bytes, s) -> s.marker() >= 0xc0
                        && s.marker() <= 0xcf
                        && s.marker() != 0xc3 // lossless
                        && s.marker() != 0xc4 // Huffman tables
                        && s.marker() != 0xc7
                        && s.marker() != 0xc8
                        && s.marker() != 0xcb
                        && s.marker() != 0xcc
                        && s.marker() != 0xcf);
        return sof == null ? 0 : b[sof.data()] & 0xff;
    }
}
