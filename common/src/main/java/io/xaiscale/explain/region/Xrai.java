package io.xaiscale.explain.region;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.References;
import io.xaiscale.explain.Targets;
import io.xaiscale.explain.gradient.IntegratedGradients;
import io.xaiscale.image.Region;
import io.xaiscale.image.Slic;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * XRAI (Kapishnikov et al. 2019): regions instead of pixels. The image is over-segmented at
 * {@code scales} scales (SLIC with {@code segments}, {@code segments / 2}, ... superpixels; the paper
 * uses Felzenszwalb's graph segmentation), every segment grown by {@code dilation} of the image's
 * longer side; then, starting from nothing, the segment whose pixels not yet chosen carry the highest
 * mean attribution of the {@code base} method (its "gain density") is added, again and again, and
 * each pixel gets the gain of the segment that added it. Segments that would add fewer than
 * {@code min_pixels} pixels are dropped; pixels no segment added get the mean over them. The map ranks
 * regions: its top values are the most attributed connected areas.
 */
public final class Xrai extends Explainer {
    public static final String NAME = "xrai";

    private final Explainer base;
    private final int segments;
    private final int scales;
    private final double dilation;
    private final int minPixels;

    /** The base method when the spec names none. */
    public static final String DEFAULT_BASE = IntegratedGradients.NAME + "[steps=32]";

    /** XRAI over {@code base}, the method its {@code base} parameter named; the registry makes it from the spec. */
    public Xrai(ParamReader p, Explainer base) {
        super(NAME, p);
        this.base = base;
        if (base.name().equals(NAME)) {
            throw new IllegalArgumentException("Invalid base for xrai: "
                    + (p.raw("base") == null ? base.spec() : p.raw("base")) + " (xrai cannot wrap itself)");
        }
        p.record("base", base.spec());
        this.segments = p.getInt("segments", 64, 2, 10_000);
        this.scales = p.getInt("scales", 4, 1, 12);
        this.dilation = p.getDouble("dilation", 0.02, 0.0, false, 0.5);
        this.minPixels = p.getInt("min_pixels", 50, 1, 1_000_000);
    }

    /** Its parts' revisions beyond their first add to its own. */
    @Override
    public int revision() {
        return revisionWith(super.revision(), base);
    }

    @Override
    public Capabilities capabilities() {
        return base.capabilities();
    }

    /** The base method's passes; segmentation and the greedy selection run on the CPU without the model. */
    @Override
    public Cost cost(Classifier model) {
        return base.cost(model);
    }

    @Override
    public void check(ModelCard card, List<String> featureLayers) {
        base.check(card, featureLayers);
    }

    @Override
    public References.Need referenceNeed() {
        return base.referenceNeed();
    }

    @Override
    public void use(References set) {
        base.use(set);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        Attribution a = base.explain(model, inputs, targets);
        Shape s = inputs.getShape();
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] pixels = inputs.toType(DataType.FLOAT32, false).toFloatArray();
        float[] maps = a.maps().toType(DataType.FLOAT32, false).toFloatArray();
        float[] out = new float[n * h * w];
        int grow = (int) Math.round(dilation * Math.max(h, w));
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * c * h * w, (i + 1) * c * h * w);
            List<int[]> masks = new ArrayList<>();
            for (int k = 0; k < scales; k++) {
                int count = Math.max(2, segments >> k);
                masks.addAll(segmentMasks(Slic.segment(own, c, h, w, count, 0.1, 10), h, w, grow));
            }
            float[] attr = Arrays.copyOfRange(maps, i * h * w, (i + 1) * h * w);
            System.arraycopy(rank(attr, masks, minPixels), 0, out, i * h * w, h * w);
        }
        NDArray result = inputs.getManager().create(out, new Shape(n, h, w)).toType(inputs.getDataType(), false);
        return new Attribution(result, a.targets(), a.logits());
    }

    /** The pixels of each segment of a labelling, grown by {@code grow} pixels. */
    static List<int[]> segmentMasks(int[] label, int h, int w, int grow) {
        int count = 0;
        for (int l : label) {
            count = Math.max(count, l + 1);
        }
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            boolean[] m = new boolean[h * w];
            boolean any = false;
            for (int p = 0; p < m.length; p++) {
                if (label[p] == l) {
                    m[p] = true;
                    any = true;
                }
            }
            if (!any) {
                continue;
            }
            boolean[] grown = new Region(m, w, h).dilate(grow).mask();
            int size = 0;
            for (boolean b : grown) {
                size += b ? 1 : 0;
            }
            int[] idx = new int[size];
            int k = 0;
            for (int p = 0; p < grown.length; p++) {
                if (grown[p]) {
                    idx[k++] = p;
                }
            }
            out.add(idx);
        }
        return out;
    }

    /**
     * XRAI's greedy selection: repeatedly the mask whose not-yet-chosen pixels have the highest mean
     * of {@code attr} (ties: the first mask) is added and its new pixels get that mean; masks adding
     * fewer than {@code minPixels} pixels are dropped; pixels never added get the mean over them.
     */
    static float[] rank(float[] attr, List<int[]> masks, int minPixels) {
        int size = attr.length;
        float[] out = new float[size];
        boolean[] chosen = new boolean[size];
        boolean[] alive = new boolean[masks.size()];
        Arrays.fill(alive, true);
        int left = masks.size();
        while (left > 0) {
            int best = -1;
            double bestGain = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < masks.size(); k++) {
                if (!alive[k]) {
                    continue;
                }
                int added = 0;
                double sum = 0;
                for (int p : masks.get(k)) {
                    if (!chosen[p]) {
                        added++;
                        sum += attr[p];
                    }
                }
                if (added < minPixels) {
                    alive[k] = false;
                    left--;
                    continue;
                }
                double gain = sum / added;
                if (gain > bestGain) {
                    bestGain = gain;
                    best = k;
                }
            }
            if (best < 0) {
                break;
            }
            for (int p : masks.get(best)) {
                if (!chosen[p]) {
                    chosen[p] = true;
                    out[p] = (float) bestGain;
                }
            }
            alive[best] = false;
            left--;
        }
        double rest = 0;
        int restCount = 0;
        for (int p = 0; p < size; p++) {
            if (!chosen[p]) {
                rest += attr[p];
                restCount++;
            }
        }
        for (int p = 0; p < size; p++) {
            if (!chosen[p]) {
                out[p] = (float) (rest / restCount);
            }
        }
        return out;
    }
}
