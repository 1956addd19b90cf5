-- Leaderboard: for each model and metric, every method configuration with its mean, a 95%
-- confidence interval (Student's t: mean +- t975(n - 1) sd / sqrt(n), t975 from the view t_quantiles,
-- 1.96 beyond its 1000 degrees of freedom) and its rank among the
-- methods of that model (1 = best; deletion_auc ranks lower-is-better, as recorded in
-- higher_is_better). Methods are told apart by their full spec (params_hash), so two
-- configurations of one method get two rows, and so do two configurations of one metric
-- (metric_params). Methods are ranked among maps of the same target
-- (predicted, label, top_2, ...; every class_k of --target labels counts as 'labels').
-- n counts the values; not_applicable the explanations the metric declared it does not apply to
-- (an image without a box for iou, ...): a mean over few of many is said so.
-- The first statement defines the view `leaderboard`, which `xai sql` and the report register for
-- every notebook (robust_ranking.sql and metric_agreement.sql build on it).
CREATE OR REPLACE TEMPORARY VIEW leaderboard AS
WITH specs AS (
  SELECT DISTINCT model_id, model_version, params_hash, method_spec,
         CASE WHEN target_rule LIKE 'class%' THEN 'labels' ELSE target_rule END AS target
  FROM explanations
),
per_method AS (
  SELECT m.model_id, m.model_version, m.metric, m.metric_params, s.target, s.method_spec,
         BOOL_AND(m.higher_is_better) AS higher_is_better,
         COUNT(m.value) AS n, AVG(m.value) AS mean, STDDEV_SAMP(m.value) AS sd,
         COUNT_IF(m.value IS NULL) AS not_applicable
  FROM metrics m
  JOIN specs s ON s.model_id = m.model_id AND s.model_version = m.model_version AND s.params_hash = m.params_hash
  WHERE m.value IS NOT NULL OR m.error LIKE 'not applicable%'
  GROUP BY m.model_id, m.model_version, m.metric, m.metric_params, s.target, s.method_spec
  HAVING COUNT(m.value) > 0
)
SELECT model_id, model_version, metric, metric_params, target, method_spec, n, not_applicable,
       ROUND(mean, 4) AS mean,
       ROUND(mean - COALESCE(q.t975, 1.96) * sd / SQRT(n), 4) AS ci95_low,
       ROUND(mean + COALESCE(q.t975, 1.96) * sd / SQRT(n), 4) AS ci95_high,
       RANK() OVER (PARTITION BY model_id, model_version, metric, metric_params, target
                    ORDER BY CASE WHEN higher_is_better THEN -mean ELSE mean END) AS rank,
       higher_is_better
FROM per_method
LEFT JOIN t_quantiles q ON q.df = n - 1;

SELECT * FROM leaderboard
ORDER BY model_id, model_version, metric, metric_params, target, rank;
