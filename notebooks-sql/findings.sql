-- The findings of each audit's latest run, most severe first (README, "Scheduled audits"): kind,
-- subject, statistic, effect size with its 95% interval, and the images that show it.
WITH latest AS (
  SELECT audit, MAX_BY(run_id, started_at) AS run_id FROM audit_runs
  WHERE status IN ('succeeded', 'gated') GROUP BY audit
)
SELECT f.audit, f.run_id, f.model, f.rank, f.kind, f.subject, f.statistic,
       ROUND(f.value, 4) AS value, ROUND(f.effect_size, 4) AS effect_size,
       ROUND(f.ci_low, 4) AS ci_low, ROUND(f.ci_high, 4) AS ci_high, f.n,
       CONCAT_WS(' ', f.evidence) AS evidence, f.detail
FROM audit_findings f
JOIN latest l ON l.audit = f.audit AND l.run_id = f.run_id
ORDER BY f.audit, f.model, f.rank;
