-- Consistency and sufficiency (Dasgupta et al. 2022; Quantus's Consistency and Sufficiency): do
-- images whose explanations look alike get the same prediction? Metrics of the dataset, not of one
-- map, so they are computed here over the explanations table: each map's `signature` marks the
-- quarter of an 8x8 grid where its relevance lies (io.xaiscale.metric.Signature), and
--   consistency: over pairs of images with the same signature, the share with the same predicted class;
--   sufficiency: per image, the share of the other images whose signature is within Hamming distance
--                4 (bit_count of the XOR) that share its predicted class, averaged over the images.
-- Higher is better for both. Per model, method configuration and target; maps explained before the
-- signature existed have none and are left out. Sufficiency compares every pair of images of a
-- method: for large tables, filter the explanations first.
WITH maps AS (
  SELECT model_id, model_version, params_hash, method_spec,
         CASE WHEN target_rule LIKE 'class%' THEN 'labels' ELSE target_rule END AS target,
         image_id, predicted_class, signature
  FROM explanations
  WHERE error IS NULL AND signature IS NOT NULL
),
same_signature AS (
  SELECT model_id, model_version, params_hash, target, signature, predicted_class, COUNT(*) AS n
  FROM maps
  GROUP BY model_id, model_version, params_hash, target, signature, predicted_class
),
consistency AS (
  SELECT model_id, model_version, params_hash, target,
         SUM(same_pairs) AS same_pairs, SUM(pairs) AS pairs
  FROM (
    SELECT model_id, model_version, params_hash, target, signature,
           SUM(n * (n - 1)) AS same_pairs,
           SUM(n) * (SUM(n) - 1) AS pairs
    FROM same_signature
    GROUP BY model_id, model_version, params_hash, target, signature
  ) g
  GROUP BY model_id, model_version, params_hash, target
),
neighbours AS (
  SELECT a.model_id, a.model_version, a.params_hash, a.target, a.image_id,
         AVG(CASE WHEN a.predicted_class = b.predicted_class THEN 1.0 ELSE 0.0 END) AS share
  FROM maps a
  JOIN maps b
    ON a.model_id = b.model_id AND a.model_version = b.model_version AND a.params_hash = b.params_hash
   AND a.target = b.target AND a.image_id <> b.image_id
   AND BIT_COUNT(a.signature ^ b.signature) <= 4
  GROUP BY a.model_id, a.model_version, a.params_hash, a.target, a.image_id
),
sufficiency AS (
  SELECT model_id, model_version, params_hash, target, AVG(share) AS sufficiency, COUNT(*) AS images_with_neighbours
  FROM neighbours
  GROUP BY model_id, model_version, params_hash, target
)
SELECT m.model_id, m.model_version, m.method_spec, m.target,
       COUNT(DISTINCT m.image_id) AS images,
       COUNT(DISTINCT m.signature) AS signatures,
       ROUND(CASE WHEN c.pairs > 0 THEN c.same_pairs / c.pairs END, 4) AS consistency,
       ROUND(s.sufficiency, 4) AS sufficiency,
       s.images_with_neighbours
FROM maps m
JOIN consistency c USING (model_id, model_version, params_hash, target)
LEFT JOIN sufficiency s USING (model_id, model_version, params_hash, target)
GROUP BY m.model_id, m.model_version, m.method_spec, m.target, c.pairs, c.same_pairs, s.sufficiency,
         s.images_with_neighbours
ORDER BY m.model_id, m.model_version, m.target, consistency DESC;
