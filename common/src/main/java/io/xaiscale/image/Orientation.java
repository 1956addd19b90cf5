package io.xaiscale.image;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The EXIF orientation of a photo (TIFF tag 0x0112, values 1 to 8): how the pixels as stored must be
 * turned to be shown upright. Cameras store the sensor's rows and say the rotation here; viewers,
 * browsers and {@code PIL.ImageOps.exif_transpose} apply it, ImageIO and a plain {@code PIL.Image.open}
 * do not. Read from a JPEG's APP1 Exif segment, a PNG's {@code eXIf} chunk or a TIFF's first IFD.
 *
 * <p>Each value maps a displayed pixel {@code (x, y)} of the {@code W' x H'} upright image to the
 * stored pixel it shows, in a stored image of {@code W x H} ({@code W' = H} and {@code H' = W} for
 * the four values that swap the axes).
 */
public enum Orientation {
    /** 1: as stored. */
    NORMAL,
    /** 2: mirrored left to right. */
    MIRROR_HORIZONTAL,
    /** 3: turned by 180 degrees. */
    ROTATE_180,
    /** 4: mirrored top to bottom. */
    MIRROR_VERTICAL,
    /** 5: mirrored along the main diagonal (PIL's TRANSPOSE). */
    TRANSPOSE,
    /** 6: the stored image turned 90 degrees clockwise is upright. */
    ROTATE_90_CW,
    /** 7: mirrored along the anti-diagonal (PIL's TRANSVERSE). */
    TRANSVERSE,
    /** 8: the stored image turned 90 degrees counter-clockwise is upright. */
    ROTATE_90_CCW;

    /** The EXIF value, 1 to 8. */
    public int value() {
        return ordinal() + 1;
    }

    /** The orientation of an EXIF value; values outside 1..8 (as written by some software) count as {@link #NORMAL}. */
    public static Orientation of(int value) {
        return value >= 1 && value <= 8 ? values()[value - 1] : NORMAL;
    }

    /** Whether the upright image has the stored one's width as its height. */
    public boolean swapsAxes() {
        return ordinal() >= 4;
    }

    /**
     * The stored pixel (returned as {@code {sx, sy}}) that displayed pixel {@code (x, y)} shows, for a
     * stored image of {@code w x h}.
     */
    int[] stored(int x, int y, int w, int h) {
        switch (this) {
            case MIRROR_HORIZONTAL:
                return new int[] {w - 1 - x, y};
            case ROTATE_180:
                return new int[] {w - 1 - x, h - 1 - y};
            case MIRROR_VERTICAL:
                return new int[] {x, h - 1 - y};
            case TRANSPOSE:
                return new int[] {y, x};
            case ROTATE_90_CW:
                return new int[] {y, h - 1 - x};
            case TRANSVERSE:
                return new int[] {w - 1 - y, h - 1 - x};
            case ROTATE_90_CCW:
                return new int[] {w - 1 - y, x};
            default:
                return new int[] {x, y};
        }
    }

    /** The upright image: a new image of the same type, or {@code img} itself for {@link #NORMAL}. */
    public BufferedImage apply(BufferedImage img) {
        if (this == NORMAL) {
            return img;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        int dw = swapsAxes() ? h : w;
        int dh = swapsAxes() ? w : h;
        Raster src = img.getRaster();
        WritableRaster dst = src.createCompatibleWritableRaster(dw, dh);
        Object pixel = null;
        for (int y = 0; y < dh; y++) {
            for (int x = 0; x < dw; x++) {
                int[] s = stored(x, y, w, h);
                pixel = src.getDataElements(s[0], s[1], pixel);
                dst.setDataElements(x, y, pixel);
            }
        }
        return new BufferedImage(img.getColorModel(), dst, img.isAlphaPremultiplied(), null);
    }

    /** An 8-bit plane of the upright {@code dw x dh} image brought back to the stored frame (the inverse of {@link #apply}). */
    public byte[] toStored(byte[] upright, int dw, int dh) {
        if (this == NORMAL) {
            return upright;
        }
        int w = swapsAxes() ? dh : dw;
        int h = swapsAxes() ? dw : dh;
        byte[] out = new byte[w * h];
        for (int y = 0; y < dh; y++) {
            for (int x = 0; x < dw; x++) {
                int[] s = stored(x, y, w, h);
                out[s[1] * w + s[0]] = upright[y * dw + x];
            }
        }
        return out;
    }

    /** A half-open box of the upright {@code dw x dh} image in the stored image's coordinates. */
    public Box toStored(Box b, int dw, int dh) {
        if (this == NORMAL) {
            return b;
        }
        int w = swapsAxes() ? dh : dw;
        int h = swapsAxes() ? dw : dh;
        int[] a = stored(b.x0(), b.y0(), w, h);
        int[] c = stored(b.x1() - 1, b.y1() - 1, w, h);
        return new Box(Math.min(a[0], c[0]), Math.min(a[1], c[1]), Math.max(a[0], c[0]) + 1, Math.max(a[1], c[1]) + 1);
    }

    /** The orientation encoded bytes state; {@link #NORMAL} when they state none (or are not JPEG, PNG or TIFF). */
    public static Orientation read(byte[] bytes) {
        try {
            return of(tag(bytes));
        } catch (IndexOutOfBoundsException e) {
            return NORMAL; // a truncated header: the decoder will say what is wrong with the file
        }
    }

    private static int tag(byte[] b) {
        if (b == null || b.length < 12) {
            return 1;
        }
        if (JpegSegments.isJpeg(b)) {
            return jpeg(b);
        }
        if ((b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return png(b);
        }
        if ((b[0] == 'I' && b[1] == 'I') || (b[0] == 'M' && b[1] == 'M')) {
            return tiff(b, 0, b.length);
        }
        return 1;
    }

    /** The first Exif APP1 segment of a JPEG, read as TIFF. */
    private static int jpeg(byte[] b) {
        JpegSegments.Segment exif = JpegSegments.first(
                b,
                (bytes, s) -> s.marker() == 0xe1
                        && s.end() - s.data() >= 14
                        && bytes[s.data()] == 'E'
                        && bytes[s.data() + 1] == 'x'
                        && bytes[s.data() + 2] == 'i'
                        && bytes[s.data() + 3] == 'f'
                        && bytes[s.data() + 4] == 0
                        && bytes[s.data() + 5] == 0);
        return exif == null ? 1 : tiff(b, exif.data() + 6, exif.end());
    }

    /** Walks the PNG's chunks, reading an {@code eXIf} chunk (a TIFF header and IFD). */
    private static int png(byte[] b) {
        int at = 8;
        while (at + 8 <= b.length) {
            long length = u32(b, at, false);
            if (length < 0 || length > b.length) {
                return 1;
            }
            if (b[at + 4] == 'e' && b[at + 5] == 'X' && b[at + 6] == 'I' && b[at + 7] == 'f') {
                return tiff(b, at + 8, (int) Math.min(b.length, at + 8 + length));
            }
            if (b[at + 4] == 'I' && b[at + 5] == 'E' && b[at + 6] == 'N' && b[at + 7] == 'D') {
                return 1;
            }
            at += 12 + (int) length;
        }
        return 1;
    }

    /**
     * The orientation entry of the first IFD of the TIFF structure at {@code [start, end)}, read by
     * TwelveMonkeys' TIFF reader (the metadata library of the JPEG plugin the project already ships).
     */
    private static int tiff(byte[] b, int start, int end) {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(b, start, end - start))) {
            Directory ifds = new TIFFReader().read(in);
            Directory first = ifds instanceof CompoundDirectory c ? c.getDirectory(0) : ifds;
            Entry e = first == null ? null : first.getEntryById(TIFF.TAG_ORIENTATION);
            return e != null && e.getValue() instanceof Number n ? n.intValue() : 1;
        } catch (IOException | RuntimeException e) {
            return 1; // no readable TIFF structure: the decoder will say what is wrong with the file
        }
    }

    private static long u32(byte[] b, int at, boolean little) {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int shift = little ? 8 * i : 8 * (3 - i);
            v |= (long) (b[at + i] & 0xff) << shift;
        }
        return v;
    }
}
