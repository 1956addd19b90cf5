package io.xaiscale.explain.propagation;

import io.xaiscale.TestModels;
import java.util.function.BiFunction;

/**
 * A slow, plain re-implementation of every rule on {@link TestModels#tiny}, in double precision and
 * straight from the formulas: the 1x1 convolution is written out as a dense 8 -> 12 matrix (input
 * order [channel, pixel], output order [filter, pixel], as the engine's flatten sees them).
 */
final class PlainTiny {
    final double[][] m1 = new double[12][8];
    final double[] b1 = new double[12];
    final double[][] m2 = new double[2][12];
    final double[] b2 = new double[2];

    PlainTiny(TestModels.Tiny t) {
        for (int f = 0; f < 3; f++) {
            for (int p = 0; p < 4; p++) {
                for (int c = 0; c < 2; c++) {
                    m1[f * 4 + p][c * 4 + p] = t.convW()[f * 2 + c];
                }
                b1[f * 4 + p] = t.convB()[f];
            }
        }
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 12; j++) {
                m2[k][j] = t.denseW()[k * 12 + j];
            }
            b2[k] = t.denseB()[k];
        }
    }

    static double[] affine(double[][] m, double[] b, double[] a) {
        double[] z = new double[m.length];
        for (int j = 0; j < m.length; j++) {
            z[j] = b[j];
            for (int i = 0; i < a.length; i++) {
                z[j] += m[j][i] * a[i];
            }
        }
        return z;
    }

    static double[] relu(double[] z) {
        double[] a = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            a[i] = Math.max(0, z[i]);
        }
        return a;
    }

    /** A rule for a dense layer: relevance at the input from relevance at the output. */
    interface DenseRule {
        double[] apply(double[][] m, double[] b, double[] a, double[] r);
    }

    static DenseRule epsilon(double eps, boolean bias) {
        return (m, b, a, r) -> {
            double[] out = new double[a.length];
            for (int j = 0; j < m.length; j++) {
                double z = bias ? b[j] : 0;
                for (int i = 0; i < a.length; i++) {
                    z += a[i] * m[j][i];
                }
                double d = z + eps * (z >= 0 ? 1 : -1);
                if (d == 0) {
                    continue;
                }
                for (int i = 0; i < a.length; i++) {
                    out[i] += a[i] * m[j][i] * r[j] / d;
                }
            }
            return out;
        };
    }

    static DenseRule gamma(double g, boolean bias) {
        return (m, b, a, r) -> {
            double[][] mg = new double[m.length][a.length];
            double[] bg = new double[m.length];
            for (int j = 0; j < m.length; j++) {
                for (int i = 0; i < a.length; i++) {
                    mg[j][i] = m[j][i] + g * Math.max(0, m[j][i]);
                }
                bg[j] = b[j] + g * Math.max(0, b[j]);
            }
            return epsilon(1e-9, bias).apply(mg, bg, a, r);
        };
    }

    static DenseRule alphaBeta(double alpha, double beta, boolean bias) {
        return (m, b, a, r) -> {
            double[] out = new double[a.length];
            for (int j = 0; j < m.length; j++) {
                double zp = bias ? Math.max(0, b[j]) : 0;
                double zn = bias ? Math.min(0, b[j]) : 0;
                for (int i = 0; i < a.length; i++) {
                    double zij = a[i] * m[j][i];
                    zp += Math.max(0, zij);
                    zn += Math.min(0, zij);
                }
                for (int i = 0; i < a.length; i++) {
                    double zij = a[i] * m[j][i];
                    double pos = zp == 0 ? 0 : Math.max(0, zij) / zp;
                    double neg = zn == 0 ? 0 : Math.min(0, zij) / zn;
                    out[i] += (alpha * pos - beta * neg) * r[j];
                }
            }
            return out;
        };
    }

    /** z^B with bounds 0 and 1 (the tiny model's normalisation is the identity). */
    static DenseRule bounded() {
        return (m, b, a, r) -> {
            double[] out = new double[a.length];
            for (int j = 0; j < m.length; j++) {
                double z = 0;
                double[] zij = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    zij[i] = a[i] * m[j][i] - 0 * Math.max(0, m[j][i]) - 1 * Math.min(0, m[j][i]);
                    z += zij[i];
                }
                double d = z + 1e-9 * (z >= 0 ? 1 : -1);
                for (int i = 0; i < a.length; i++) {
                    out[i] += zij[i] / d * r[j];
                }
            }
            return out;
        };
    }

    /** LRP relevance at the 8 inputs: conv rule on the first layer, dense rule on the last. */
    double[] lrp(double[] x, int target, DenseRule first, DenseRule last) {
        double[] z1 = affine(m1, b1, x);
        double[] a1 = relu(z1);
        double[] z2 = affine(m2, b2, a1);
        double[] r2 = new double[2];
        r2[target] = z2[target];
        double[] r1 = last.apply(m2, b2, a1, r2);
        return first.apply(m1, b1, x, r1);
    }

    /** Gradient-like backward with a ReLU rule: {@code relu(z, g)} gives the signal at the ReLU input. */
    double[] modifiedGradient(double[] x, int target, BiFunction<Double, Double, Double> relu) {
        double[] z1 = affine(m1, b1, x);
        double[] g1 = new double[12];
        for (int j = 0; j < 12; j++) {
            g1[j] = relu.apply(z1[j], m2[target][j]);
        }
        double[] g0 = new double[8];
        for (int j = 0; j < 12; j++) {
            for (int i = 0; i < 8; i++) {
                g0[i] += m1[j][i] * g1[j];
            }
        }
        return g0;
    }

    /** DeepLIFT attributions against reference {@code ref}, Rescale or RevealCancel at the ReLU. */
    double[] deeplift(double[] x, double[] ref, int target, boolean revealCancel) {
        double[] z = affine(m1, b1, x);
        double[] z0 = affine(m1, b1, ref);
        double[] da = new double[8];
        for (int i = 0; i < 8; i++) {
            da[i] = x[i] - ref[i];
        }
        double[] out = new double[8];
        for (int j = 0; j < 12; j++) {
            double g = m2[target][j];
            if (!revealCancel) {
                double dz = z[j] - z0[j];
                double mult = Math.abs(dz) < 1e-7 ? (z[j] > 0 ? 1 : 0) : (Math.max(0, z[j]) - Math.max(0, z0[j])) / dz;
                for (int i = 0; i < 8; i++) {
                    out[i] += g * mult * m1[j][i] * da[i];
                }
            } else {
                double dp = 0;
                double dn = 0;
                for (int i = 0; i < 8; i++) {
                    double c = m1[j][i] * da[i];
                    dp += Math.max(0, c);
                    dn += Math.min(0, c);
                }
                double x0 = z0[j];
                double yp = 0.5 * (r(x0 + dp) - r(x0)) + 0.5 * (r(x0 + dn + dp) - r(x0 + dn));
                double yn = 0.5 * (r(x0 + dn) - r(x0)) + 0.5 * (r(x0 + dp + dn) - r(x0 + dp));
                double mp = dp == 0 ? 0 : yp / dp;
                double mn = dn == 0 ? 0 : yn / dn;
                for (int i = 0; i < 8; i++) {
                    double c = m1[j][i] * da[i];
                    out[i] += g * (c > 0 ? mp : mn) * c;
                }
            }
        }
        return out;
    }

    private static double r(double v) {
        return Math.max(0, v);
    }

    /** Sum over the 2 channels of an 8-vector [channel, pixel]: the 4-pixel map. */
    static double[] map(double[] v) {
        double[] out = new double[4];
        for (int p = 0; p < 4; p++) {
            out[p] = v[p] + v[4 + p];
        }
        return out;
    }
}
