-- Sanity checks (Adebayo et al. 2018): similarity between each method's maps on the trained model
-- and on a model whose top layers were re-drawn at random (model_randomization, by depth: read down
-- the cascade) or trained on shuffled labels (data_randomization). A method whose maps stay similar
-- (Spearman or SSIM near 1) does not depend on what the model learned: it fails the check.
SELECT m.model_id, m.model_version, e.method_spec,
       REGEXP_EXTRACT(m.metric, '^(model_randomization|data_randomization)', 1) AS check_name,
       CAST(GET_JSON_OBJECT(m.metric_params, '$.depth') AS INT) AS depth,
       GET_JSON_OBJECT(m.metric_params, '$.cascade') AS cascade,
       REGEXP_EXTRACT(m.metric, '_(spearman|ssim)$', 1) AS similarity,
       COUNT(m.value) AS images, ROUND(AVG(m.value), 4) AS mean,
       ROUND(STDDEV_SAMP(m.value), 4) AS sd
FROM metrics m
JOIN (SELECT DISTINCT model_id, model_version, params_hash, method_spec FROM explanations) e
  ON e.model_id = m.model_id AND e.model_version = m.model_version AND e.params_hash = m.params_hash
WHERE m.metric LIKE 'model_randomization_%' OR m.metric LIKE 'data_randomization_%'
GROUP BY m.model_id, m.model_version, e.method_spec, check_name, depth, cascade, similarity
ORDER BY m.model_id, m.model_version, check_name, similarity, depth, mean;
