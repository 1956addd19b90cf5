package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.propagation.rules.AlphaBeta;
import io.xaiscale.explain.propagation.rules.Bounded;
import io.xaiscale.explain.propagation.rules.Chain;
import io.xaiscale.explain.propagation.rules.Epsilon;
import io.xaiscale.explain.propagation.rules.Gamma;
import io.xaiscale.explain.propagation.rules.PassThrough;
import io.xaiscale.explain.propagation.rules.Stable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Layer-wise relevance propagation (Bach et al. 2015; Montavon et al. 2019). The target logit is
 * the relevance at the output; convolutions and dense layers redistribute it by their rule, ReLUs and
 * pointwise maps pass it on, max pooling gives it to the max (winner takes all), average pooling
 * proportionally to the inputs, and a residual join splits it across its branches in proportion to
 * their outputs. BatchNorm is folded into the convolution before it.
 *
 * <p>Rules: {@code zero}, {@code epsilon}, {@code gamma}, {@code alpha_beta}, {@code zplus} (alpha 1,
 * beta 0, no bias) for {@code conv} and {@code dense} layers, plus {@code zb} for the {@code first}
 * layer. {@code rule=R} sets both; {@code composite=C} sets all three as in Zennit's composites. The
 * output records the resolved {@code conv}, {@code dense}, {@code first} rules and only the numbers
 * those rules use.
 */
public final class Lrp extends PropagationExplainer {
    public static final String NAME = "lrp";
    public static final List<String> RULES = List.of("zero", "epsilon", "gamma", "alpha_beta", "zplus");
    public static final List<String> FIRST_RULES =
            List.of("same", "zero", "epsilon", "gamma", "alpha_beta", "zplus", "zb");
    /** Composite name to {conv, dense, first}. */
    public static final Map<String, List<String>> COMPOSITES = Map.of(
            "none", List.of(),
            "epsilon_plus", List.of("zplus", "epsilon", "zplus"),
            "epsilon_gamma_box", List.of("gamma", "epsilon", "zb"),
            "epsilon_alpha2_beta1", List.of("alpha_beta", "epsilon", "alpha_beta"));

    private final String conv;
    private final String dense;
    private final String first;
    private final double epsilon;
    private final double gamma;
    private final double alpha;
    private final double beta;
    private final boolean bias;
    private final RuleSet rules;

    public Lrp(ParamReader p) {
        super(NAME, p);
        String composite = p.getChoice("composite", "none", new ArrayList<>(new TreeSet<>(COMPOSITES.keySet())));
        String rule = p.getChoice("rule", "epsilon", RULES);
        List<String> c = COMPOSITES.get(composite);
        if (!c.isEmpty() && p.raw("rule") != null) {
            throw new IllegalArgumentException("Invalid rule for lrp: " + rule + " together with composite=" + composite
                    + " (give either a rule or a composite; override layers with conv=, dense=, first=)");
        }
        p.forget("composite");
        p.forget("rule");
        this.conv = p.getChoice("conv", c.isEmpty() ? rule : c.get(0), RULES);
        this.dense = p.getChoice("dense", c.isEmpty() ? rule : c.get(1), RULES);
        String f = p.getChoice("first", c.isEmpty() ? "same" : c.get(2), FIRST_RULES);
        this.first = f;
        Set<String> used = new java.util.HashSet<>(List.of(conv, dense, first));
        this.epsilon = p.getDouble("epsilon", 1e-6, 0.0, false, 1e6);
        this.gamma = p.getDouble("gamma", 0.25, 0.0, false, 1e6);
        this.alpha = p.getDouble("alpha", 2.0, 1.0, false, 1e6);
        this.beta = p.getDouble("beta", 1.0, 0.0, false, 1e6);
        this.bias = Boolean.parseBoolean(p.getChoice("bias", "true", List.of("true", "false")));
        if (!used.contains("epsilon")) {
            p.forget("epsilon");
        }
        if (!used.contains("gamma")) {
            p.forget("gamma");
        }
        if (used.contains("alpha_beta")) {
            new AlphaBeta(alpha, beta, bias); // validates alpha - beta = 1 at parse time
        } else {
            p.forget("alpha");
            p.forget("beta");
        }
        this.rules = new Composite();
    }

    private final class Composite implements RuleSet {
        private final Map<String, io.xaiscale.explain.propagation.Rule> byName = Map.of(
                "zero", new Epsilon(0, bias),
                "epsilon", new Epsilon(epsilon, bias),
                "gamma", new Gamma(gamma, bias),
                "alpha_beta", new AlphaBeta(used("alpha_beta") ? alpha : 1, used("alpha_beta") ? beta : 0, bias),
                "zplus", new AlphaBeta(1, 0, false),
                "zb", Bounded.INSTANCE);
        private final io.xaiscale.explain.propagation.Rule pooling = new Epsilon(1e-9, true);

        private boolean used(String r) {
            return conv.equals(r) || dense.equals(r) || first.equals(r);
        }

        @Override
        public io.xaiscale.explain.propagation.Rule ruleFor(Step step) {
            return switch (step.layer().kind()) {
                case LINEAR -> {
                    String own = ((Affine) step.layer()).isConv() ? conv : dense;
                    yield byName.get(step.isFirstLinear() && !"same".equals(first) ? first : own);
                }
                case AVG_POOL -> pooling;
                case MAX_POOL, RESHAPE -> Chain.INSTANCE;
                case RELU, POINTWISE -> PassThrough.INSTANCE;
                case RESIDUAL -> throw new IllegalStateException("residual joins are split by the engine");
            };
        }

        @Override
        public List<NDArray> split(List<NDArray> branchOutputs, NDArray joinOutput, NDArray relevance) {
            NDArray s = Stable.divide(relevance, joinOutput, 1e-9);
            List<NDArray> out = new ArrayList<>();
            for (NDArray z : branchOutputs) {
                out.add(z.mul(s));
            }
            return out;
        }
    }

    @Override
    protected RuleSet rules() {
        return rules;
    }

    @Override
    protected Propagation.Start start() {
        return Propagation.Start.TARGET_LOGIT;
    }
}
