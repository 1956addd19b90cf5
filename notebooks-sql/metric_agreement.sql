-- How far two metrics agree on the order of the methods: for every pair of metric outputs (each
-- configuration apart) of a model and target, the correlation of the methods' ranks over the
-- methods both rank (Spearman's rho, with tied ranks as RANK gives them), at least 3 methods.
-- Near 1: the two metrics rank methods alike; near 0 or negative: they measure different things
-- (LATEC finds this within families too; robust_ranking.sql ranks by family medians for that
-- reason). Builds on the views leaderboard and metric_families, registered by `xai sql` and the report.
SELECT a.model_id, a.model_version, a.target,
       a.metric AS metric_a, a.metric_params AS metric_params_a, COALESCE(fa.family, 'other') AS family_a,
       b.metric AS metric_b, b.metric_params AS metric_params_b, COALESCE(fb.family, 'other') AS family_b,
       COUNT(*) AS methods,
       ROUND(CORR(a.rank, b.rank), 4) AS rank_correlation
FROM leaderboard a
JOIN leaderboard b
  ON a.model_id = b.model_id AND a.model_version = b.model_version AND a.target = b.target
 AND a.method_spec = b.method_spec
 AND (a.metric < b.metric OR (a.metric = b.metric AND a.metric_params < b.metric_params))
LEFT JOIN metric_families fa ON fa.output = a.metric
LEFT JOIN metric_families fb ON fb.output = b.metric
GROUP BY a.model_id, a.model_version, a.target, a.metric, a.metric_params, fa.family,
         b.metric, b.metric_params, fb.family
HAVING COUNT(*) >= 3
ORDER BY a.model_id, a.model_version, a.target, rank_correlation;
