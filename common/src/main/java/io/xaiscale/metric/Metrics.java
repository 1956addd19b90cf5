package io.xaiscale.metric;

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
import java.util.List;

/** The registry of metrics, like {@code Explainers}. */
public final class Metrics {
    private static final Registry<Metric> REGISTRY = new Registry<Metric>("metric")
            .register(DeletionInsertion.DELETION, p -> new DeletionInsertion(true, p))
            .register(DeletionInsertion.INSERTION, p -> new DeletionInsertion(false, p))
            .register(IoU.NAME, IoU::new)
            .register(Aopc.NAME, Aopc::new)
            .register(FaithfulnessCorrelation.NAME, FaithfulnessCorrelation::new)
            .register(Infidelity.NAME, Infidelity::new)
            .register(PointingGame.NAME, PointingGame::new)
            .register(RelevanceMass.NAME, RelevanceMass::new)
            .register(RelevanceRank.NAME, RelevanceRank::new)
            .register(MaskAuc.NAME, MaskAuc::new)
            .register(Sparseness.NAME, Sparseness::new)
            .register(Entropy.NAME, Entropy::new)
            .register(Robustness.NAME, Robustness::new)
            .register(MaxSensitivity.NAME, MaxSensitivity::new)
            .register(ModelRandomization.NAME, ModelRandomization::new)
            .register(DataRandomization.NAME, DataRandomization::new)
            .register(FaithfulnessEstimate.NAME, FaithfulnessEstimate::new)
            .register(Monotonicity.NAME, Monotonicity::new)
            .register(MonotonicityCorrelation.NAME, MonotonicityCorrelation::new)
            .register(Selectivity.NAME, Selectivity::new)
            .register(SensitivityN.NAME, SensitivityN::new)
            .register(Irof.NAME, Irof::new)
            .register(Road.NAME, Road::new)
            .register(TopKIntersection.NAME, TopKIntersection::new)
            .register(AttributionLocalisation.NAME, AttributionLocalisation::new)
            .register(EffectiveComplexity.NAME, EffectiveComplexity::new)
            .register(Stability.NAME, Stability::new)
            .register(RandomLogit.NAME, RandomLogit::new)
            .register(Completeness.NAME, Completeness::new)
            .register(NonSensitivity.NAME, NonSensitivity::new)
            .register(SmoothMprt.NAME, SmoothMprt::new)
            .register(EfficientMprt.NAME, EfficientMprt::new)
            .register(Continuity.NAME, Continuity::new)
            .register(InputInvariance.NAME, InputInvariance::new)
            .register(Focus.NAME, Focus::new);

    public static final String DEFAULT_METRICS = "deletion_auc,insertion_auc,iou,pointing_game";

    private Metrics() {}

    public static List<String> names() {
        return REGISTRY.names();
    }

    /**
     * The family of a stored metric name (a metric or one of its outputs, e.g. {@code
     * robustness_pearson}): the package of its class, {@code faithfulness}, {@code localisation},
     * {@code complexity}, {@code robustness} or {@code sanity}; {@code other} for an unknown name.
     */
    public static String family(String stored) {
        String best = null;
        for (String n : names()) {
            if ((stored.equals(n) || stored.startsWith(n + "_")) && (best == null || n.length() > best.length())) {
                best = n;
            }
        }
        if (best == null) {
            return "other";
        }
        String p = fromString(best).getClass().getPackageName();
        return p.substring(p.lastIndexOf('.') + 1);
    }

    public static Metric fromString(String text) {
        return REGISTRY.fromString(text);
    }

    public static List<Metric> listFromString(String text) {
        return REGISTRY.listFromString(text);
    }
}
