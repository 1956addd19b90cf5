package io.xaiscale.metric;

import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Registry;
import io.xaiscale.metric.axiomatic.Completeness;
import io.xaiscale.metric.axiomatic.InputInvariance;
import io.xaiscale.metric.axiomatic.NonSensitivity;
import io.xaiscale.metric.complexity.EffectiveComplexity;
import io.xaiscale.metric.complexity.Entropy;
import io.xaiscale.metric.complexity.Sparseness;
import io.xaiscale.metric.faithfulness.Aopc;
import io.xaiscale.metric.faithfulness.DeletionInsertion;
import io.xaiscale.metric.faithfulness.FaithfulnessCorrelation;
import io.xaiscale.metric.faithfulness.FaithfulnessEstimate;
import io.xaiscale.metric.faithfulness.Infidelity;
import io.xaiscale.metric.faithfulness.Irof;
import io.xaiscale.metric.faithfulness.Monotonicity;
import io.xaiscale.metric.faithfulness.MonotonicityCorrelation;
import io.xaiscale.metric.faithfulness.Road;
import io.xaiscale.metric.faithfulness.Selectivity;
import io.xaiscale.metric.faithfulness.SensitivityN;
import io.xaiscale.metric.faithfulness.Sufficiency;
import io.xaiscale.metric.localisation.AttributionLocalisation;
import io.xaiscale.metric.localisation.Focus;
import io.xaiscale.metric.localisation.IoU;
import io.xaiscale.metric.localisation.MaskAuc;
import io.xaiscale.metric.localisation.PointingGame;
import io.xaiscale.metric.localisation.RelevanceMass;
import io.xaiscale.metric.localisation.RelevanceRank;
import io.xaiscale.metric.localisation.TopKIntersection;
import io.xaiscale.metric.robustness.Continuity;
import io.xaiscale.metric.robustness.MaxSensitivity;
import io.xaiscale.metric.robustness.Robustness;
import io.xaiscale.metric.robustness.Stability;
import io.xaiscale.metric.sanity.DataRandomization;
import io.xaiscale.metric.sanity.EfficientMprt;
import io.xaiscale.metric.sanity.ModelRandomization;
import io.xaiscale.metric.sanity.RandomLogit;
import io.xaiscale.metric.sanity.SmoothMprt;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The registry of metrics, like {@code Explainers}. */
public final class Metrics {
    /** The families, as stored next to every metric output (the notebooks and the report group by them). */
    public static final String FAITHFULNESS = "faithfulness";

    public static final String LOCALISATION = "localisation";
    public static final String ROBUSTNESS = "robustness";
    public static final String SANITY = "sanity";
    public static final String COMPLEXITY = "complexity";
    public static final String AXIOMATIC = "axiomatic";

    private static final Registry<Metric> REGISTRY = new Registry<Metric>("metric");
    /** Each registered metric's family, declared with it (never read off its class's package). */
    private static final Map<String, String> FAMILIES = new LinkedHashMap<>();

    private static void register(String family, String name, Function<ParamReader, Metric> factory) {
        REGISTRY.register(name, factory);
        FAMILIES.put(name, family);
    }

    static {
        register(FAITHFULNESS, DeletionInsertion.DELETION, p -> new DeletionInsertion(true, p));
        register(FAITHFULNESS, DeletionInsertion.INSERTION, p -> new DeletionInsertion(false, p));
        register(LOCALISATION, IoU.NAME, IoU::new);
        register(FAITHFULNESS, Aopc.NAME, Aopc::new);
        register(FAITHFULNESS, FaithfulnessCorrelation.NAME, FaithfulnessCorrelation::new);
        register(FAITHFULNESS, Infidelity.NAME, Infidelity::new);
        register(LOCALISATION, PointingGame.NAME, PointingGame::new);
        register(LOCALISATION, RelevanceMass.NAME, RelevanceMass::new);
        register(LOCALISATION, RelevanceRank.NAME, RelevanceRank::new);
        register(LOCALISATION, MaskAuc.NAME, MaskAuc::new);
        register(COMPLEXITY, Sparseness.NAME, Sparseness::new);
        register(COMPLEXITY, Entropy.NAME, Entropy::new);
        register(ROBUSTNESS, Robustness.NAME, Robustness::new);
        register(ROBUSTNESS, MaxSensitivity.NAME, MaxSensitivity::new);
        register(SANITY, ModelRandomization.NAME, ModelRandomization::new);
        register(SANITY, DataRandomization.NAME, DataRandomization::new);
        register(FAITHFULNESS, FaithfulnessEstimate.NAME, FaithfulnessEstimate::new);
        register(FAITHFULNESS, Monotonicity.NAME, Monotonicity::new);
        register(FAITHFULNESS, MonotonicityCorrelation.NAME, MonotonicityCorrelation::new);
        register(FAITHFULNESS, Selectivity.NAME, Selectivity::new);
        register(FAITHFULNESS, SensitivityN.NAME, SensitivityN::new);
        register(FAITHFULNESS, Irof.NAME, Irof::new);
        register(FAITHFULNESS, Road.NAME, Road::new);
        register(LOCALISATION, TopKIntersection.NAME, TopKIntersection::new);
        register(LOCALISATION, AttributionLocalisation.NAME, AttributionLocalisation::new);
        register(COMPLEXITY, EffectiveComplexity.NAME, EffectiveComplexity::new);
        register(ROBUSTNESS, Stability.NAME, Stability::new);
        register(SANITY, RandomLogit.NAME, RandomLogit::new);
        register(AXIOMATIC, Completeness.NAME, Completeness::new);
        register(AXIOMATIC, NonSensitivity.NAME, NonSensitivity::new);
        register(SANITY, SmoothMprt.NAME, SmoothMprt::new);
        register(SANITY, EfficientMprt.NAME, EfficientMprt::new);
        register(ROBUSTNESS, Continuity.NAME, Continuity::new);
        register(AXIOMATIC, InputInvariance.NAME, InputInvariance::new);
        register(LOCALISATION, Focus.NAME, Focus::new);
        register(FAITHFULNESS, Sufficiency.NAME, Sufficiency::new);
    }

    public static final String DEFAULT_METRICS = "deletion_auc,insertion_auc,iou,pointing_game";

    private Metrics() {}

    public static List<String> names() {
        return REGISTRY.names();
    }

    /**
     * The family of a stored metric name (a metric or one of its outputs, e.g. {@code
     * robustness_pearson}): the family its metric was registered with ({@link #FAITHFULNESS},
     * {@link #LOCALISATION}, ...); {@code other} for an unknown name.
     */
    public static String family(String stored) {
        String best = null;
        for (String n : names()) {
            if ((stored.equals(n) || stored.startsWith(n + "_")) && (best == null || n.length() > best.length())) {
                best = n;
            }
        }
        return best == null ? "other" : FAMILIES.get(best);
    }

    /** {@link Registry#raiseRevision}: what {@code name} builds is at its next revision until the handle is closed (tests). */
    public static AutoCloseable raiseRevision(String name) {
        return REGISTRY.raiseRevision(name, 1);
    }

    public static Metric fromString(String text) {
        return REGISTRY.fromString(text);
    }

    public static List<Metric> listFromString(String text) {
        return REGISTRY.listFromString(text);
    }
}
