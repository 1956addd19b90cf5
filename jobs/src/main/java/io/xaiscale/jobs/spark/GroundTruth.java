package io.xaiscale.jobs.spark;

import io.xaiscale.image.Box;
import io.xaiscale.image.Geometry;
import org.apache.spark.sql.Row;

/**
 * An image's ground-truth box where the maps are: in the model's input coordinates, through the same
 * {@link Geometry} as the pixels (scaled, cropped, padded). A box is stored in the coordinates of the
 * original image ({@code images.bbox}, with {@code images.width/height}); every reader of boxes next to
 * maps (evaluate, agreement, overlays) goes through here.
 *
 * @param box the box in input coordinates, clipped to the input; null when there is none
 * @param missing why a box that exists is not usable (cropped away), else null
 */
public record GroundTruth(Box box, String missing) {
    static final GroundTruth NONE = new GroundTruth(null, null);

    /** The box of an images row ({@code bbox}, {@code width}, {@code height}) for an input of {@code outW x outH}. */
    public static GroundTruth of(Row bbox, Integer width, Integer height, Geometry geometry, int outW, int outH) {
        if (bbox == null) {
            return NONE;
        }
        Box raw = new Box(bbox.getInt(0), bbox.getInt(1), bbox.getInt(2), bbox.getInt(3));
        if (width == null || height == null) {
            return new GroundTruth(raw, null); // no size recorded: taken as already in input coordinates
        }
        Box b = geometry.transform(width, height, outW, outH).box(raw);
        return b != null
                ? new GroundTruth(b, null)
                : new GroundTruth(
                        null,
                        "not applicable: the ground-truth box lies outside the model's input (cropped away by "
                                + geometry.mode().spec() + ")");
    }
}
