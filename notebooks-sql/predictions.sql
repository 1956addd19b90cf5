-- What the model predicts, before anything is explained (`xai predict`: one forward pass per image,
-- its top-k classes and probabilities). An image predicted under several settings (top_k) counts
-- once: its latest row. First, accuracy per true class with the mean confidence and margin: a class
-- that is accurate and confident while its maps sit outside the object (per_class.sql) is the
-- Clever-Hans case.
WITH latest AS (
  SELECT * FROM (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY model_id, model_version, image_id ORDER BY computed_at DESC, params_hash) AS r
    FROM predictions p WHERE error IS NULL
  ) WHERE r = 1
)
SELECT l.model_id, l.model_version, COALESCE(i.label_name, CAST(l.label AS STRING)) AS class, COUNT(*) AS images,
       ROUND(AVG(CAST(l.correct AS INT)), 4) AS accuracy, ROUND(AVG(l.predicted_prob), 4) AS mean_confidence,
       ROUND(AVG(l.margin), 4) AS mean_margin, ROUND(AVG(l.entropy), 4) AS mean_entropy
FROM latest l
JOIN images i ON i.image_id = l.image_id
WHERE l.correct IS NOT NULL
GROUP BY l.model_id, l.model_version, class
ORDER BY l.model_id, l.model_version, accuracy, class;

-- The most frequent confusions: true class, predicted class, how many images and what share of the
-- true class's images.
WITH latest AS (
  SELECT * FROM (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY model_id, model_version, image_id ORDER BY computed_at DESC, params_hash) AS r
    FROM predictions p WHERE error IS NULL
  ) WHERE r = 1
),
per_class AS (
  SELECT model_id, model_version, label, COUNT(*) AS images FROM latest WHERE label IS NOT NULL
  GROUP BY model_id, model_version, label
)
SELECT l.model_id, l.model_version, l.label AS true_class, l.predicted_class, COUNT(*) AS images,
       ROUND(COUNT(*) / MAX(c.images), 4) AS share_of_class
FROM latest l
JOIN per_class c ON c.model_id = l.model_id AND c.model_version = l.model_version AND c.label = l.label
WHERE NOT l.correct
GROUP BY l.model_id, l.model_version, l.label, l.predicted_class
ORDER BY l.model_id, l.model_version, images DESC, true_class, l.predicted_class
LIMIT 50;

-- Calibration: images in ten bins of confidence (the first class's probability), each bin's accuracy
-- against its mean confidence (a calibrated model has them equal), and the expected calibration
-- error (ECE, Guo et al. 2017: the bins' |accuracy - confidence| weighted by their share of images)
-- on every row of the model.
WITH latest AS (
  SELECT * FROM (
    SELECT p.*, ROW_NUMBER() OVER (PARTITION BY model_id, model_version, image_id ORDER BY computed_at DESC, params_hash) AS r
    FROM predictions p WHERE error IS NULL AND correct IS NOT NULL
  ) WHERE r = 1
),
bins AS (
  SELECT model_id, model_version, LEAST(FLOOR(predicted_prob * 10), 9) AS bin, COUNT(*) AS images,
         AVG(CAST(correct AS INT)) AS accuracy, AVG(predicted_prob) AS confidence
  FROM latest
  GROUP BY model_id, model_version, LEAST(FLOOR(predicted_prob * 10), 9)
)
SELECT model_id, model_version, CAST(bin / 10 AS DECIMAL(3, 1)) AS confidence_from, images,
       ROUND(accuracy, 4) AS accuracy, ROUND(confidence, 4) AS mean_confidence,
       ROUND(SUM(images * ABS(accuracy - confidence)) OVER (PARTITION BY model_id, model_version)
             / SUM(images) OVER (PARTITION BY model_id, model_version), 4) AS ece
FROM bins
ORDER BY model_id, model_version, bin;
