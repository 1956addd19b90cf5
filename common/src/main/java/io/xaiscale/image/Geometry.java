package io.xaiscale.image;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How an image of any size becomes the model's {@code width x height} input, as the model was
 * trained: the geometry ({@code stretch} to the input size; {@code resize_center_crop}, torchvision's
 * ImageNet recipe: shorter side to {@code resizeTo}, then the centre {@code width x height};
 * {@code letterbox}: the whole image scaled to fit, keeping its aspect, the rest filled with
 * {@code padValue}), the interpolation (Pillow's, see {@link Resampler}) and antialiasing. Every
 * geometry is a scale then a placement ({@link Transform}), so boxes and masks follow the pixels
 * exactly, and maps can go back onto the original image.
 */
public record Geometry(
        Mode mode, Resampler.Filter filter, boolean antialias, int resizeTo, int padValue, boolean upright)
        implements Serializable {
    /** A geometry of an upright image: EXIF orientation applied before anything else (the default). */
    public Geometry(Mode mode, Resampler.Filter filter, boolean antialias, int resizeTo, int padValue) {
        this(mode, filter, antialias, resizeTo, padValue, true);
    }

    public enum Mode {
        STRETCH,
        RESIZE_CENTER_CROP,
        LETTERBOX;

        public String spec() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Today's default: stretched to the input size, bilinear, antialiased (Pillow). */
    public static final Geometry STRETCH = new Geometry(Mode.STRETCH, Resampler.Filter.BILINEAR, true, 0, 0);

    public static final List<String> MODES =
            List.of(Mode.STRETCH.spec(), Mode.RESIZE_CENTER_CROP.spec(), Mode.LETTERBOX.spec());
    public static final List<String> FILTERS = List.of("bilinear", "bicubic", "nearest");
    /**
     * {@code apply}: photos are turned upright by their EXIF orientation before the geometry (as
     * viewers and {@code ImageOps.exif_transpose} do); {@code ignore}: the stored pixels, as a plain
     * {@code PIL.Image.open} (torchvision's {@code ImageFolder} loader) gives them.
     */
    public static final List<String> EXIF_ORIENTATIONS = List.of("apply", "ignore");

    /**
     * The geometry of a card's {@code preprocessing} fields (null: the default); {@code problems}
     * receives each invalid field by name, and the default is returned for it.
     */
    public static Geometry of(
            String geometry,
            String resize,
            Boolean antialias,
            Integer resizeTo,
            Integer padValue,
            String exifOrientation,
            List<String> problems) {
        Mode mode = Mode.STRETCH;
        if (geometry != null) {
            if (!MODES.contains(geometry)) {
                problems.add("invalid field 'preprocessing.geometry': " + geometry + " (valid: "
                        + String.join(", ", MODES) + ")");
            } else {
                mode = Mode.valueOf(geometry.toUpperCase(Locale.ROOT));
            }
        }
        Resampler.Filter filter = Resampler.Filter.BILINEAR;
        if (resize != null) {
            if (!FILTERS.contains(resize)) {
                problems.add("invalid field 'preprocessing.resize': " + resize + " (valid: "
                        + String.join(", ", FILTERS) + ")");
            } else {
                filter = Resampler.Filter.valueOf(resize.toUpperCase(Locale.ROOT));
            }
        }
        int to = 0;
        if (mode == Mode.RESIZE_CENTER_CROP) {
            if (resizeTo == null || resizeTo < 1) {
                problems.add("invalid field 'preprocessing.resize_to': " + resizeTo
                        + " (resize_center_crop needs the shorter side's length before the crop, e.g. 256)");
            } else {
                to = resizeTo;
            }
        } else if (resizeTo != null) {
            problems.add("unexpected field 'preprocessing.resize_to': only geometry resize_center_crop takes it");
        }
        int pad = padValue == null ? 0 : padValue;
        if (pad < 0 || pad > 255) {
            problems.add("invalid field 'preprocessing.pad_value': " + pad + " (an 8-bit value, 0..255)");
            pad = 0;
        }
        boolean upright = true;
        if (exifOrientation != null) {
            if (!EXIF_ORIENTATIONS.contains(exifOrientation)) {
                problems.add("invalid field 'preprocessing.exif_orientation': " + exifOrientation + " (valid: "
                        + String.join(", ", EXIF_ORIENTATIONS) + ")");
            } else {
                upright = exifOrientation.equals("apply");
            }
        }
        return new Geometry(mode, filter, antialias == null || antialias, to, pad, upright);
    }

    /**
     * The image resized to {@code resizedW x resizedH}, then placed with its top-left corner at
     * ({@code left}, {@code top}) of the {@code outW x outH} input: negative offsets crop, positive
     * ones pad. A source point (x, y) lands at {@code (x * resizedW / w + left, y * resizedH / h + top)}.
     */
    public record Transform(int w, int h, int resizedW, int resizedH, int left, int top, int outW, int outH) {
        public double scaleX() {
            return (double) resizedW / w;
        }

        public double scaleY() {
            return (double) resizedH / h;
        }

        public boolean identity() {
            return w == outW && h == outH && resizedW == w && resizedH == h && left == 0 && top == 0;
        }

        /**
         * A half-open box of the source image in input coordinates: scaled, placed, its edges rounded
         * outwards and clipped to the input; null when nothing of it is left in the input.
         */
        public Box box(Box b) {
            int x0 = Math.max(0, (int) Math.floor(b.x0() * scaleX() + left + 1e-9));
            int y0 = Math.max(0, (int) Math.floor(b.y0() * scaleY() + top + 1e-9));
            int x1 = Math.min(outW, (int) Math.ceil(b.x1() * scaleX() + left - 1e-9));
            int y1 = Math.min(outH, (int) Math.ceil(b.y1() * scaleY() + top - 1e-9));
            return x1 > x0 && y1 > y0 ? new Box(x0, y0, x1, y1) : null;
        }

        /**
         * A map of the input ({@code outW x outH}, row-major) brought back onto the source image, sampled
         * on a {@code dw x dh} grid over it (the source's own size, or smaller for display): each grid
         * pixel's centre goes through the inverse of the scale and placement and reads the map there
         * (bilinear); a pixel whose centre lands outside the input (cropped away) is NaN.
         */
        public float[] toSource(float[] map, int dw, int dh) {
            float[] out = new float[dw * dh];
            for (int y = 0; y < dh; y++) {
                // grid centre -> source coordinate -> input coordinate (pixel centres at +0.5)
                double v = ((y + 0.5) * h / dh) * scaleY() + top;
                for (int x = 0; x < dw; x++) {
                    double u = ((x + 0.5) * w / dw) * scaleX() + left;
                    out[y * dw + x] =
                            u < 0 || v < 0 || u >= outW || v >= outH ? Float.NaN : bilinear(map, u - 0.5, v - 0.5);
                }
            }
            return out;
        }

        /** The map at input coordinates (u, v) of pixel centres, edges clamped. */
        private float bilinear(float[] map, double u, double v) {
            double cu = Math.max(0, Math.min(outW - 1, u));
            double cv = Math.max(0, Math.min(outH - 1, v));
            int x0 = (int) Math.floor(cu);
            int y0 = (int) Math.floor(cv);
            int x1 = Math.min(outW - 1, x0 + 1);
            int y1 = Math.min(outH - 1, y0 + 1);
            double fx = cu - x0;
            double fy = cv - y0;
            double upper = map[y0 * outW + x0] * (1 - fx) + map[y0 * outW + x1] * fx;
            double lower = map[y1 * outW + x0] * (1 - fx) + map[y1 * outW + x1] * fx;
            return (float) (upper * (1 - fy) + lower * fy);
        }
    }

    /** The transform of an image of {@code w x h} into an input of {@code outW x outH}. */
    public Transform transform(int w, int h, int outW, int outH) {
        switch (mode) {
            case RESIZE_CENTER_CROP: {
                // torchvision Resize(int): the shorter side to resizeTo, the longer int(resizeTo * long / short)
                int rw;
                int rh;
                if (w <= h) {
                    rw = resizeTo;
                    rh = (int) ((long) resizeTo * h / (double) w);
                } else {
                    rh = resizeTo;
                    rw = (int) ((long) resizeTo * w / (double) h);
                }
                return new Transform(w, h, rw, rh, cropOffset(rw, outW), cropOffset(rh, outH), outW, outH);
            }
            case LETTERBOX: {
                double s = Math.min((double) outW / w, (double) outH / h);
                int rw = Math.max(1, Math.min(outW, (int) Math.rint(w * s)));
                int rh = Math.max(1, Math.min(outH, (int) Math.rint(h * s)));
                return new Transform(w, h, rw, rh, (outW - rw) / 2, (outH - rh) / 2, outW, outH);
            }
            default:
                return new Transform(w, h, outW, outH, 0, 0, outW, outH);
        }
    }

    /**
     * torchvision's CenterCrop offset of a crop of {@code crop} from {@code size}: {@code -round((size -
     * crop) / 2)} with Python's round (half to even); when the crop is larger, the image is padded by
     * {@code (crop - size) // 2} before.
     */
    static int cropOffset(int size, int crop) {
        if (crop > size) {
            return (crop - size) / 2;
        }
        return -(int) Math.rint((size - crop) / 2.0);
    }

    /** {@code planes} (8-bit, row-major {@code w x h}) through this geometry: resized, cropped or padded. */
    public byte[][] apply(byte[][] planes, Transform t) {
        byte[][] out = new byte[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            byte[] resized = Resampler.resize(planes[c], t.w(), t.h(), t.resizedW(), t.resizedH(), filter, antialias);
            if (t.resizedW() == t.outW() && t.resizedH() == t.outH() && t.left() == 0 && t.top() == 0) {
                out[c] = resized;
                continue;
            }
            byte[] placed = new byte[t.outW() * t.outH()];
            Arrays.fill(placed, (byte) padValue);
            for (int y = 0; y < t.outH(); y++) {
                int sy = y - t.top();
                if (sy < 0 || sy >= t.resizedH()) {
                    continue;
                }
                int x0 = Math.max(0, t.left());
                int x1 = Math.min(t.outW(), t.left() + t.resizedW());
                if (x1 > x0) {
                    System.arraycopy(resized, sy * t.resizedW() + x0 - t.left(), placed, y * t.outW() + x0, x1 - x0);
                }
            }
            out[c] = placed;
        }
        return out;
    }

    /** The card's fields this geometry is written as (for messages and docs). */
    public String spec() {
        List<String> p = new ArrayList<>(List.of(mode.spec(), filter.name().toLowerCase(Locale.ROOT)));
        if (!antialias) {
            p.add("no antialias");
        }
        if (mode == Mode.RESIZE_CENTER_CROP) {
            p.add("resize_to " + resizeTo);
        }
        if (mode == Mode.LETTERBOX) {
            p.add("pad " + padValue);
        }
        if (!upright) {
            p.add("EXIF orientation ignored");
        }
        return String.join(", ", p);
    }
}
