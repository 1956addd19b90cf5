-- Where each class's relevance lies: per model, method and class, the mean share of positive
-- relevance outside the object (1 - relevance_mass; with a margin in metric_params, away from it),
-- over the maps of the predicted class of labelled images. A class far above the others for a
-- method is what the audits' Clever-Hans findings look for (README, "Scheduled audits").
SELECT m.model_id, m.model_version, e.method_spec, m.metric_params,
       COALESCE(i.label_name, CAST(i.label AS STRING)) AS class, i.label,
       COUNT(*) AS n, ROUND(AVG(1 - m.value), 4) AS outside_share
FROM metrics m
JOIN images i ON i.image_id = m.image_id
JOIN explanations e ON e.image_id = m.image_id AND e.model_id = m.model_id
                   AND e.model_version = m.model_version AND e.params_hash = m.params_hash
WHERE m.metric = 'relevance_mass' AND m.value IS NOT NULL AND i.label IS NOT NULL
  AND e.target_rule = 'predicted'
GROUP BY m.model_id, m.model_version, e.method_spec, m.metric_params, class, i.label
ORDER BY m.model_id, m.model_version, e.method_spec, m.metric_params, outside_share DESC;
