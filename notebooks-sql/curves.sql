-- The curves the curve metrics' values are read off (deletion and insertion AUC, AOPC, selectivity,
-- IROF, ROAD, sufficiency, monotonicity: the target score at each step of the perturbation): per model,
-- metric, its parameters and method configuration, the mean score at each step over the images with its
-- 95% interval (Student's t), the step as the fraction of the way through the curve (0: unchanged input).
WITH steps AS (
  SELECT m.model_id, m.model_version, m.metric, m.metric_params, e.method_spec, SIZE(m.curve) AS points,
         POSEXPLODE(m.curve) AS (pos, score)
  FROM metrics m
  JOIN (SELECT DISTINCT model_id, model_version, params_hash, method_spec FROM explanations) e
    ON e.model_id = m.model_id AND e.model_version = m.model_version AND e.params_hash = m.params_hash
  WHERE m.curve IS NOT NULL AND SIZE(m.curve) > 1
), per_step AS (
  SELECT model_id, model_version, metric, metric_params, method_spec, ROUND(pos / (points - 1), 4) AS fraction,
         COUNT(*) AS n, AVG(score) AS mean, STDDEV_SAMP(score) AS sd
  FROM steps
  GROUP BY model_id, model_version, metric, metric_params, method_spec, pos, points
)
SELECT model_id, model_version, metric, metric_params, method_spec, fraction, n,
       ROUND(mean, 4) AS mean,
       ROUND(mean - COALESCE(q.t975, 1.96) * COALESCE(sd, 0) / SQRT(n), 4) AS ci95_low,
       ROUND(mean + COALESCE(q.t975, 1.96) * COALESCE(sd, 0) / SQRT(n), 4) AS ci95_high
FROM per_step
LEFT JOIN t_quantiles q ON q.df = n - 1
ORDER BY model_id, model_version, metric, metric_params, method_spec, fraction;
