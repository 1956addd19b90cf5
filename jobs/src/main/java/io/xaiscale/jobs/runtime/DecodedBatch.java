package io.xaiscale.jobs.runtime;

import io.xaiscale.image.DecodeException;
import io.xaiscale.image.Geometry;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.model.Classifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/**
 * The rows of a batch whose {@code content} decodes to the model's input, stacked as one
 * {@code [N, C, H, W]} float array, and the rows that failed with their error (an image error is
 * never thrown, so one bad image cannot fail its batch).
 */
public record DecodedBatch(List<Row> ok, float[] pixels, List<Row> failed, List<String> errors) {

    /**
     * Decodes every row; {@code reject} may refuse a row before decoding by returning an error
     * message (null accepts it).
     */
    public static DecodedBatch of(List<Row> rows, Classifier model, Function<Row, String> reject) {
        return of(
                rows,
                model.channels(),
                model.height(),
                model.width(),
                model.card().geometry(),
                reject);
    }

    /** {@link #of(List, Classifier, Function)} for an input of {@code channels x height x width}, stretched. */
    public static DecodedBatch of(List<Row> rows, int channels, int height, int width, Function<Row, String> reject) {
        return of(rows, channels, height, width, Geometry.STRETCH, reject);
    }

    /** {@link #of(List, Classifier, Function)} for an input of {@code channels x height x width} through {@code geometry}. */
    public static DecodedBatch of(
            List<Row> rows, int channels, int height, int width, Geometry geometry, Function<Row, String> reject) {
        int per = channels * height * width;
        List<Row> ok = new ArrayList<>();
        float[] pixels = new float[rows.size() * per]; // decoded in place, one image after the other
        List<Row> failed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Row r : rows) {
            String why = reject.apply(r);
            if (why == null) {
                try {
                    ImageCodec.toTensor(
                            (byte[]) r.getAs("content"), channels, height, width, geometry, pixels, ok.size() * per);
                    ok.add(r);
                    continue;
                } catch (DecodeException e) {
                    why = "image: " + e.getMessage();
                }
            }
            failed.add(r);
            errors.add(why);
        }
        if (!failed.isEmpty()) {
            pixels = Arrays.copyOf(pixels, ok.size() * per);
        }
        return new DecodedBatch(ok, pixels, failed, errors);
    }

    /** Every row accepted as it is, without pixels: for work that looks only at other columns. */
    public static DecodedBatch notDecoded(List<Row> rows) {
        return new DecodedBatch(rows, null, List.of(), List.of());
    }

    /** Pixels of the decoded rows {@code at} (indices into {@link #ok}), one after the other; null when not decoded. */
    public float[] pixelsOf(List<Integer> at) {
        if (pixels == null || at.size() == ok.size()) {
            return pixels;
        }
        int per = pixels.length / ok.size();
        float[] out = new float[at.size() * per];
        for (int i = 0; i < at.size(); i++) {
            System.arraycopy(pixels, at.get(i) * per, out, i * per, per);
        }
        return out;
    }
}
