-- Per class: the mean of every metric by true class and method, to find the classes where a
-- method (or the model) attends outside the object: low iou / pointing_game for one class while
-- others are high is the Clever-Hans signal.
WITH specs AS (
  SELECT DISTINCT model_id, model_version, params_hash, method_spec FROM explanations
)
SELECT m.model_id, m.model_version, COALESCE(i.label_name, CAST(i.label AS STRING), 'unlabelled') AS class,
       m.metric, s.method_spec, COUNT(m.value) AS n, ROUND(AVG(m.value), 4) AS mean
FROM metrics m
JOIN images i ON i.image_id = m.image_id
JOIN specs s ON s.model_id = m.model_id AND s.model_version = m.model_version AND s.params_hash = m.params_hash
WHERE m.value IS NOT NULL
GROUP BY m.model_id, m.model_version, class, m.metric, s.method_spec
ORDER BY m.model_id, m.model_version, m.metric, s.method_spec, class;
