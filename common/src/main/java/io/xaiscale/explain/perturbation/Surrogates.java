package io.xaiscale.explain.perturbation;

/**
 * Weighted linear surrogates with an intercept, fitted on centred data: ridge by its normal
 * equations, lasso by coordinate descent on the objective
 * {@code sum_k w_k (y_k - b - x_k . beta)^2 / (2 sum w) + alpha |beta|_1}.
 */
final class Surrogates {
    private Surrogates() {}

    /** Coefficients (intercept excluded) of weighted ridge regression with penalty {@code alpha}. */
    static double[] ridge(double[][] x, double[] y, double[] w, double alpha) {
        int n = x.length;
        int d = x[0].length;
        double[][] xc = new double[n][d];
        double[] yc = new double[n];
        center(x, y, w, xc, yc);
        double[][] a = new double[d][d + 1];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    sum += w[k] * xc[k][i] * xc[k][j];
                }
                a[i][j] = sum + (i == j ? alpha : 0);
            }
            double rhs = 0;
            for (int k = 0; k < n; k++) {
                rhs += w[k] * xc[k][i] * yc[k];
            }
            a[i][d] = rhs;
        }
        return solve(a);
    }

    /** Coefficients (intercept excluded) of weighted lasso regression with penalty {@code alpha}. */
    static double[] lasso(double[][] x, double[] y, double[] w, double alpha, int sweeps) {
        int n = x.length;
        int d = x[0].length;
        double[][] xc = new double[n][d];
        double[] r = new double[n];
        center(x, y, w, xc, r);
        double total = 0;
        for (double v : w) {
            total += v;
        }
        double[] beta = new double[d];
        double[] norm = new double[d];
        for (int j = 0; j < d; j++) {
            for (int k = 0; k < n; k++) {
                norm[j] += w[k] * xc[k][j] * xc[k][j] / total;
            }
        }
        for (int sweep = 0; sweep < sweeps; sweep++) {
            double change = 0;
            for (int j = 0; j < d; j++) {
                if (norm[j] == 0) {
                    continue;
                }
                double rho = 0;
                for (int k = 0; k < n; k++) {
                    rho += w[k] * xc[k][j] * (r[k] + xc[k][j] * beta[j]) / total;
                }
                double next = Math.signum(rho) * Math.max(0, Math.abs(rho) - alpha) / norm[j];
                double delta = next - beta[j];
                if (delta != 0) {
                    for (int k = 0; k < n; k++) {
                        r[k] -= xc[k][j] * delta;
                    }
                    beta[j] = next;
                    change = Math.max(change, Math.abs(delta));
                }
            }
            if (change < 1e-9) {
                break;
            }
        }
        return beta;
    }

    private static void center(double[][] x, double[] y, double[] w, double[][] xc, double[] yc) {
        int n = x.length;
        int d = x[0].length;
        double total = 0;
        double ym = 0;
        double[] xm = new double[d];
        for (int k = 0; k < n; k++) {
            total += w[k];
            ym += w[k] * y[k];
            for (int j = 0; j < d; j++) {
                xm[j] += w[k] * x[k][j];
            }
        }
        ym /= total;
        for (int j = 0; j < d; j++) {
            xm[j] /= total;
        }
        for (int k = 0; k < n; k++) {
            yc[k] = y[k] - ym;
            for (int j = 0; j < d; j++) {
                xc[k][j] = x[k][j] - xm[j];
            }
        }
    }

    /** Gaussian elimination with partial pivoting on an augmented {@code d x (d + 1)} system. */
    private static double[] solve(double[][] a) {
        int d = a.length;
        for (int col = 0; col < d; col++) {
            int pivot = col;
            for (int r = col + 1; r < d; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            double p = a[col][col];
            if (p == 0) {
                continue;
            }
            for (int r = 0; r < d; r++) {
                if (r != col) {
                    double f = a[r][col] / p;
                    if (f != 0) {
                        for (int j = col; j <= d; j++) {
                            a[r][j] -= f * a[col][j];
                        }
                    }
                }
            }
        }
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            out[i] = a[i][i] == 0 ? 0 : a[i][d] / a[i][i];
        }
        return out;
    }
}
