-- Robustness curves: for each model, method configuration, perturbation and level, the mean
-- similarity of the map recomputed on the changed image to the original map (Pearson, SSIM, Dice
-- of the top pixels; 1 = unchanged) and the share of images whose prediction flipped. Read along
-- level for one perturbation to see how fast a method's maps fall apart.
SELECT m.model_id, m.model_version, e.method_spec,
       GET_JSON_OBJECT(m.metric_params, '$.perturbation') AS perturbation,
       CAST(GET_JSON_OBJECT(m.metric_params, '$.level') AS DOUBLE) AS level,
       REPLACE(m.metric, 'robustness_', '') AS measure,
       COUNT(m.value) AS images, ROUND(AVG(m.value), 4) AS mean
FROM metrics m
JOIN (SELECT DISTINCT model_id, model_version, params_hash, method_spec FROM explanations) e
  ON e.model_id = m.model_id AND e.model_version = m.model_version AND e.params_hash = m.params_hash
WHERE m.metric LIKE 'robustness_%' AND m.value IS NOT NULL
GROUP BY m.model_id, m.model_version, e.method_spec, perturbation, level, measure
ORDER BY m.model_id, m.model_version, e.method_spec, perturbation, measure, level;
