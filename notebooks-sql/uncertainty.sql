-- Uncertainty against explanation quality (`xai uncertainty`: Monte-Carlo dropout). First, images in
-- quartiles of predictive entropy and, per quartile, method and metric, the metric's mean: do
-- uncertain predictions get more diffuse maps (lower sparseness, higher map entropy) or maps further
-- from the object (lower iou)?
WITH u AS (
  SELECT image_id, model_id, model_version, entropy, mutual_information,
         NTILE(4) OVER (PARTITION BY model_id, model_version, params_hash ORDER BY entropy) AS entropy_quartile
  FROM uncertainty
  WHERE error IS NULL
)
SELECT u.model_id, u.model_version, m.method, m.metric, u.entropy_quartile, COUNT(m.value) AS n,
       ROUND(AVG(u.entropy), 4) AS mean_entropy, ROUND(AVG(u.mutual_information), 4) AS mean_mutual_information,
       ROUND(AVG(m.value), 4) AS mean
FROM u
JOIN metrics m ON m.image_id = u.image_id AND m.model_id = u.model_id AND m.model_version = u.model_version
WHERE m.value IS NOT NULL
GROUP BY u.model_id, u.model_version, m.method, m.metric, u.entropy_quartile
ORDER BY u.model_id, u.model_version, m.metric, m.method, u.entropy_quartile;

-- Then one line per method and metric: the correlation of the metric with the predictive entropy and
-- with the mutual information (the model's own uncertainty) over the images.
SELECT u.model_id, u.model_version, m.method, m.metric, COUNT(*) AS n,
       ROUND(corr(u.entropy, m.value), 4) AS corr_entropy,
       ROUND(corr(u.mutual_information, m.value), 4) AS corr_mutual_information
FROM uncertainty u
JOIN metrics m ON m.image_id = u.image_id AND m.model_id = u.model_id AND m.model_version = u.model_version
WHERE u.error IS NULL AND m.value IS NOT NULL
GROUP BY u.model_id, u.model_version, m.method, m.metric
ORDER BY u.model_id, u.model_version, m.metric, m.method;
