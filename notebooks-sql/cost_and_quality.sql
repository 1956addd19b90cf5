-- Cost next to quality: for each model and method configuration, the mean explain time per image
-- (runtime_ms of the explain job, batch time shared by its images) and the mean of every metric
-- output, so a cheap method that is as faithful as an expensive one stands out.
WITH cost AS (
  SELECT model_id, model_version, params_hash, method_spec, COUNT(*) AS images, AVG(runtime_ms) AS ms_per_image
  FROM explanations WHERE error IS NULL
  GROUP BY model_id, model_version, params_hash, method_spec
)
SELECT c.model_id, c.model_version, c.method_spec, c.images, ROUND(c.ms_per_image, 2) AS ms_per_image,
       m.metric, ROUND(AVG(m.value), 4) AS mean, BOOL_AND(m.higher_is_better) AS higher_is_better
FROM cost c
JOIN metrics m ON m.model_id = c.model_id AND m.model_version = c.model_version AND m.params_hash = c.params_hash
WHERE m.value IS NOT NULL
GROUP BY c.model_id, c.model_version, c.method_spec, c.images, c.ms_per_image, m.metric
ORDER BY c.model_id, c.model_version, m.metric, c.ms_per_image;
