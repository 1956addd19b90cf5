package io.xaiscale.internals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.render.Colormap;
import io.xaiscale.render.UnitGrid;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights and activations of a network as pictures (the CNN lectures' filter and feature-map
 * views): the kernels of a convolution layer, each drawn around mid-grey (a first layer's kernels
 * over 1 or 3 input channels as grey or colour patches; a deeper layer's as a map of each kernel's
 * L2 norm per input channel), and the activation maps of one image at a layer.
 */
public final class Kernels {
    private Kernels() {}

    /** A convolution's weights {@code [out, in, k, k]}, as floats. */
    public record Weights(float[] values, int out, int in, int kh, int kw) {
        /** Kernel {@code o}'s weights over input channel {@code i}, row-major. */
        public float[] kernel(int o, int i) {
            float[] k = new float[kh * kw];
            System.arraycopy(values, (o * in + i) * kh * kw, k, 0, k.length);
            return k;
        }
    }

    /** The weights of feature layer {@code layer}; fails naming the model's convolution layers unless it is one. */
    public static Weights of(Classifier model, String layer) {
        if (model.layerBlock(layer) instanceof Conv2d conv) {
            for (var p : conv.getParameters()) {
                if (p.getKey().equals("weight") || p.getKey().endsWith("_weight")) {
                    NDArray w = p.getValue().getArray();
                    Shape s = w.getShape();
                    return new Weights(
                            w.toType(DataType.FLOAT32, false).toFloatArray(),
                            (int) s.get(0),
                            (int) s.get(1),
                            (int) s.get(2),
                            (int) s.get(3));
                }
            }
        }
        List<String> convs = new ArrayList<>();
        for (String l : model.featureLayers()) {
            if (model.layerBlock(l) instanceof Conv2d) {
                convs.add(l);
            }
        }
        throw new IllegalArgumentException("Layer " + layer + " of "
                + model.card().key() + " is not a convolution (valid: " + String.join(", ", convs) + ")");
    }

    /**
     * The kernels as tiles: with 1 or 3 input channels, each kernel as an image whose grey (or
     * colour) is {@code 0.5 + w / (2 max |w|)} of that kernel (mid-grey: 0; white: its largest
     * positive weight); with more, each kernel as one row of its L2 norm per input channel (jet).
     */
    public static List<UnitGrid.Tile> tiles(Weights w) {
        List<UnitGrid.Tile> out = new ArrayList<>();
        for (int o = 0; o < w.out(); o++) {
            BufferedImage img;
            if (w.in() == 1 || w.in() == 3) {
                float[] t = new float[w.in() * w.kh() * w.kw()];
                float max = 1e-12f;
                for (int i = 0; i < w.in(); i++) {
                    float[] k = w.kernel(o, i);
                    System.arraycopy(k, 0, t, i * k.length, k.length);
                    for (float v : k) {
                        max = Math.max(max, Math.abs(v));
                    }
                }
                for (int j = 0; j < t.length; j++) {
                    t[j] = 0.5f + t[j] / (2 * max);
                }
                img = ImageCodec.fromTensor(t, 0, w.in(), w.kh(), w.kw());
            } else {
                float[] norms = new float[w.in()];
                float max = 1e-12f;
                for (int i = 0; i < w.in(); i++) {
                    double sq = 0;
                    for (float v : w.kernel(o, i)) {
                        sq += v * v;
                    }
                    norms[i] = (float) Math.sqrt(sq);
                    max = Math.max(max, norms[i]);
                }
                img = new BufferedImage(w.in(), 1, BufferedImage.TYPE_INT_RGB);
                for (int i = 0; i < w.in(); i++) {
                    img.setRGB(i, 0, Colormap.jet(norms[i] / max));
                }
            }
            out.add(new UnitGrid.Tile(ImageCodec.png(img), String.valueOf(o)));
        }
        return out;
    }

    /**
     * A layer's kernels over training: one row per checkpoint ({@code models}, oldest first, each
     * labelled by its epoch, else its version), the same {@link #tiles} per row, so a column follows
     * one kernel.
     */
    public static List<UnitGrid.Tile> overTraining(List<Classifier> models, String layer) {
        List<UnitGrid.Tile> out = new ArrayList<>();
        for (int r = 0; r < models.size(); r++) {
            Classifier m = models.get(r);
            Object epoch =
                    m.card().training() == null ? null : m.card().training().get("epoch");
            List<UnitGrid.Tile> row = tiles(of(m, layer));
            for (int i = 0; i < row.size(); i++) {
                // the row's checkpoint under its first kernel, the kernel's index under the first row
                String label = i == 0
                        ? (epoch != null ? "e" + epoch : m.card().version())
                        : r == 0 ? row.get(i).label() : "";
                out.add(new UnitGrid.Tile(row.get(i).png(), label));
            }
        }
        return out;
    }

    /** The activation maps of one image ({@code [C, H, W]} in [0, 1]) at {@code layer}, each scaled to [0, 1] by its own maximum. */
    public static List<UnitGrid.Tile> activations(Classifier model, float[] image, String layer) {
        try (NDManager m = model.manager().newSubManager();
                GradMode off = GradMode.off()) {
            NDArray a = model.activations(
                    m.create(image, new Shape(1, model.channels(), model.height(), model.width())), layer);
            Shape s = a.getShape();
            int k = (int) s.get(1);
            int h = (int) s.get(2);
            int w = (int) s.get(3);
            float[] v = a.toFloatArray();
            List<UnitGrid.Tile> out = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                float max = 1e-12f;
                float min = 0f;
                for (int i = 0; i < h * w; i++) {
                    max = Math.max(max, v[c * h * w + i]);
                    min = Math.min(min, v[c * h * w + i]);
                }
                float[] t = new float[h * w];
                for (int i = 0; i < t.length; i++) {
                    t[i] = (v[c * h * w + i] - min) / (max - min);
                }
                out.add(new UnitGrid.Tile(
                        ImageCodec.png(ImageCodec.fromTensor(t, 0, 1, h, w)), c + String.format(": %.2f", max)));
            }
            return out;
        }
    }
}
