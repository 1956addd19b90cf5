-- Where the best method does worst: per model, metric configuration and target, the method ranked
-- first on the leaderboard (best mean) and the 4 images where its value is worst.
WITH specs AS (
  SELECT DISTINCT model_id, model_version, params_hash, method_spec, target_rule FROM explanations
),
vals AS (
  SELECT m.model_id, m.model_version, m.metric, m.metric_params, s.target_rule, s.method_spec,
         m.image_id, m.value, m.higher_is_better
  FROM metrics m
  JOIN specs s ON s.model_id = m.model_id AND s.model_version = m.model_version AND s.params_hash = m.params_hash
  WHERE m.value IS NOT NULL
),
ranked AS (
  SELECT model_id, model_version, metric, metric_params, target_rule, method_spec,
         RANK() OVER (PARTITION BY model_id, model_version, metric, metric_params, target_rule
                      ORDER BY CASE WHEN BOOL_AND(higher_is_better) THEN -AVG(value) ELSE AVG(value) END,
                               method_spec) AS rank
  FROM vals
  GROUP BY model_id, model_version, metric, metric_params, target_rule, method_spec
),
worst AS (
  SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v.model_id, v.model_version, v.metric, v.metric_params, v.target_rule
                                 ORDER BY CASE WHEN v.higher_is_better THEN v.value ELSE -v.value END, v.image_id) AS worst
  FROM vals v
  JOIN ranked r ON r.model_id = v.model_id AND r.model_version = v.model_version AND r.metric = v.metric
               AND r.metric_params = v.metric_params AND r.target_rule = v.target_rule
               AND r.method_spec = v.method_spec AND r.rank = 1
)
SELECT model_id, model_version, metric, metric_params, target_rule, method_spec, worst, image_id,
       ROUND(value, 4) AS value
FROM worst
WHERE worst <= 4
ORDER BY model_id, model_version, metric, metric_params, target_rule, worst;
