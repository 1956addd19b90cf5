-- Robust ranking (as the LATEC benchmark recommends): single metrics disagree about which method
-- is best, so each method is ranked within a metric family (faithfulness, localisation, robustness,
-- sanity, complexity, axiomatic) by its median rank over the family's metrics (every output and
-- configuration of a metric counts once), per model and target. best_rank and worst_rank show how
-- much the family's metrics disagree on that method; metric_agreement.sql says which metrics do.
-- Builds on the views leaderboard (leaderboard.sql) and metric_families (every registered metric
-- output and its family), which `xai sql` and the report register.
WITH ranked AS (
  SELECT l.*, COALESCE(f.family, 'other') AS family
  FROM leaderboard l
  LEFT JOIN metric_families f ON f.output = l.metric
),
per_family AS (
  SELECT model_id, model_version, target, family, method_spec,
         COUNT(*) AS metrics,
         MEDIAN(rank) AS median_rank,
         MIN(rank) AS best_rank,
         MAX(rank) AS worst_rank
  FROM ranked
  GROUP BY model_id, model_version, target, family, method_spec
)
SELECT model_id, model_version, target, family, method_spec, metrics, median_rank, best_rank, worst_rank,
       RANK() OVER (PARTITION BY model_id, model_version, target, family ORDER BY median_rank) AS family_rank
FROM per_family
ORDER BY model_id, model_version, target, family, family_rank, method_spec;
