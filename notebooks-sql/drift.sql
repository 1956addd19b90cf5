-- Drift between two versions of a model (xai audit with models [v1, v2] of one id fills model_drift):
-- per method and true class, how far the maps moved (mean Pearson and top-10% IoU of the absolute
-- maps: 1 = unchanged) and how often the prediction changed.
SELECT d.model_id, d.version_a, d.version_b, d.method_spec,
       COALESCE(i.label_name, CAST(i.label AS STRING), 'unlabelled') AS class,
       COUNT(*) AS images,
       ROUND(AVG(d.pearson), 4) AS mean_pearson,
       ROUND(AVG(d.top_iou), 4) AS mean_top_iou,
       ROUND(AVG(CASE WHEN d.prediction_changed THEN 1.0 ELSE 0.0 END), 4) AS prediction_changed
FROM model_drift d
JOIN images i ON i.image_id = d.image_id
GROUP BY d.model_id, d.version_a, d.version_b, d.method_spec, class
ORDER BY d.model_id, d.version_a, d.version_b, d.method_spec, mean_pearson;

-- Per-metric change between the versions, paired by image and method configuration: the mean delta
-- (b - a) with a 95% confidence interval (Student's t of the paired mean, t_quantiles), and a sign test's
-- counts (images better, worse, equal in the metric's own direction).
WITH paired AS (
  SELECT d.model_id, d.version_a, d.version_b, d.method_spec, ma.metric,
         mb.value - ma.value AS delta,
         CASE WHEN ma.higher_is_better THEN mb.value - ma.value ELSE ma.value - mb.value END AS gain
  FROM model_drift d
  JOIN metrics ma ON ma.image_id = d.image_id AND ma.model_id = d.model_id
                 AND ma.model_version = d.version_a AND ma.params_hash = d.params_hash
  JOIN metrics mb ON mb.image_id = d.image_id AND mb.model_id = d.model_id
                 AND mb.model_version = d.version_b AND mb.params_hash = d.params_hash
                 AND mb.metric_params_hash = ma.metric_params_hash AND mb.metric = ma.metric
  WHERE ma.value IS NOT NULL AND mb.value IS NOT NULL
)
SELECT s.model_id, s.version_a, s.version_b, s.method_spec, s.metric, s.n, ROUND(s.mean, 4) AS mean_delta,
       ROUND(s.mean - COALESCE(q.t975, 1.96) * s.sd / SQRT(s.n), 4) AS ci95_low,
       ROUND(s.mean + COALESCE(q.t975, 1.96) * s.sd / SQRT(s.n), 4) AS ci95_high,
       s.better, s.worse, s.equal
FROM (
  SELECT model_id, version_a, version_b, method_spec, metric, COUNT(*) AS n, AVG(delta) AS mean,
         COALESCE(STDDEV_SAMP(delta), 0) AS sd,
         SUM(CASE WHEN gain > 0 THEN 1 ELSE 0 END) AS better,
         SUM(CASE WHEN gain < 0 THEN 1 ELSE 0 END) AS worse,
         SUM(CASE WHEN gain = 0 THEN 1 ELSE 0 END) AS equal
  FROM paired
  GROUP BY model_id, version_a, version_b, method_spec, metric
) s
LEFT JOIN t_quantiles q ON q.df = s.n - 1
ORDER BY s.model_id, s.version_a, s.version_b, s.metric, s.method_spec;
