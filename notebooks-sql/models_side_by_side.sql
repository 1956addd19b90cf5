-- Models side by side (LATEC-style: a CNN and a Vision Transformer explained on the same images, or
-- two versions of one model). First, for each pair of models, the first eight images (by id) both
-- explained for their predicted class: what the report's models page draws side by side.
WITH explained AS (
  SELECT DISTINCT model_id, model_version, image_id FROM explanations
  WHERE error IS NULL AND target_rule = 'predicted'
),
pairs AS (
  SELECT a.model_id AS model_a, a.model_version AS version_a, b.model_id AS model_b,
         b.model_version AS version_b, a.image_id,
         ROW_NUMBER() OVER (PARTITION BY a.model_id, a.model_version, b.model_id, b.model_version
                            ORDER BY a.image_id) AS n
  FROM explained a
  JOIN explained b
    ON a.image_id = b.image_id
   AND (a.model_id < b.model_id OR (a.model_id = b.model_id AND a.model_version < b.model_version))
)
SELECT model_a, version_a, model_b, version_b, image_id FROM pairs WHERE n <= 8
ORDER BY model_a, version_a, model_b, version_b, image_id;

-- Then each method's rank per metric among the methods of its model
-- (leaderboard.sql), normalised to [0, 1] (0 = best, 1 = worst) so that models explained with
-- different method sets compare; then, for each pair of models, every method both ran, with its
-- mean and rank under each, and rank_shift, how far it moved (positive: worse under model_b).
-- The first rows are where the two models disagree most about a method. Builds on the view
-- leaderboard, which `xai sql` and the report register.
WITH normalised AS (
  SELECT model_id, model_version, metric, metric_params, target, method_spec, mean, rank,
         CASE WHEN COUNT(*) OVER w > 1 THEN (rank - 1) / (COUNT(*) OVER w - 1) ELSE 0 END AS normalised_rank
  FROM leaderboard
  WINDOW w AS (PARTITION BY model_id, model_version, metric, metric_params, target)
)
SELECT a.metric, a.metric_params, a.target, a.method_spec,
       a.model_id AS model_a, a.model_version AS version_a, a.mean AS mean_a, a.rank AS rank_a,
       b.model_id AS model_b, b.model_version AS version_b, b.mean AS mean_b, b.rank AS rank_b,
       ROUND(b.normalised_rank - a.normalised_rank, 3) AS rank_shift
FROM normalised a
JOIN normalised b
  ON a.metric = b.metric AND a.metric_params = b.metric_params AND a.target = b.target
 AND a.method_spec = b.method_spec
 AND (a.model_id < b.model_id OR (a.model_id = b.model_id AND a.model_version < b.model_version))
ORDER BY ABS(b.normalised_rank - a.normalised_rank) DESC, a.metric, a.method_spec, model_a, model_b;
