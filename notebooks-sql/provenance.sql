-- Provenance: which build of the project wrote the rows (xai_version: version and commit), at which
-- revision of each method and metric, which rows predate the revision of this build (the next run of
-- explain or evaluate recomputes them) and which rows a newer revision superseded (moved to the
-- superseded_ tables, where they stay readable). A fix that changes a method's numbers raises its
-- revision (Configured.revision); rows written before the provenance columns read as revision 1 and
-- build 'before provenance'.

-- 1. Rows whose method or metric has a newer revision in this build (xai_revision): not yet recomputed.
SELECT 'explanations' AS table_name, model_id, model_version, method_spec AS name,
       COALESCE(method_revision, 1) AS revision, xai_revision('method', method_spec) AS current_revision,
       COUNT(*) AS rows
FROM explanations
WHERE COALESCE(method_revision, 1) < xai_revision('method', method_spec)
GROUP BY model_id, model_version, method_spec, COALESCE(method_revision, 1)
UNION ALL
SELECT 'metrics', m.model_id, m.model_version, m.metric, COALESCE(m.metric_revision, 1),
       xai_revision('metric', f.metric), COUNT(*)
FROM metrics m JOIN metric_families f ON f.output = m.metric
WHERE COALESCE(m.metric_revision, 1) < xai_revision('metric', f.metric)
GROUP BY m.model_id, m.model_version, m.metric, COALESCE(m.metric_revision, 1), f.metric
ORDER BY table_name, model_id, model_version, name;

-- 2. Rows a newer revision superseded, by when and why.
SELECT 'explanations' AS table_name, model_id, model_version, method_spec AS name,
       COALESCE(method_revision, 1) AS revision, COALESCE(xai_version, 'before provenance') AS xai_version,
       superseded_because, MIN(superseded_at) AS superseded_at, COUNT(*) AS rows
FROM superseded_explanations
GROUP BY model_id, model_version, method_spec, COALESCE(method_revision, 1), COALESCE(xai_version, 'before provenance'),
         superseded_because
UNION ALL
SELECT 'metrics', model_id, model_version, metric, COALESCE(metric_revision, 1),
       COALESCE(xai_version, 'before provenance'), superseded_because, MIN(superseded_at), COUNT(*)
FROM superseded_metrics
GROUP BY model_id, model_version, metric, COALESCE(metric_revision, 1), COALESCE(xai_version, 'before provenance'),
         superseded_because
ORDER BY table_name, model_id, model_version, name, revision;

-- 3. Rows per table and the build that wrote them, with the revisions they hold and when.
SELECT table_name, COALESCE(xai_version, 'before provenance') AS xai_version, revisions, rows, first_written, last_written
FROM (
  SELECT 'explanations' AS table_name, xai_version,
         CONCAT_WS(', ', SORT_ARRAY(COLLECT_SET(CONCAT(method, ' r', COALESCE(method_revision, 1))))) AS revisions,
         COUNT(*) AS rows, MIN(explained_at) AS first_written, MAX(explained_at) AS last_written
  FROM explanations GROUP BY xai_version
  UNION ALL
  SELECT 'metrics', xai_version,
         CONCAT_WS(', ', SORT_ARRAY(COLLECT_SET(CONCAT(metric, ' r', COALESCE(metric_revision, 1))))),
         COUNT(*), MIN(evaluated_at), MAX(evaluated_at)
  FROM metrics GROUP BY xai_version
  UNION ALL
  SELECT 'method_agreement', xai_version, NULL, COUNT(*), MIN(computed_at), MAX(computed_at)
  FROM method_agreement GROUP BY xai_version
  UNION ALL
  SELECT 'model_drift', xai_version, NULL, COUNT(*), MIN(computed_at), MAX(computed_at)
  FROM model_drift GROUP BY xai_version
  UNION ALL
  SELECT 'audit_runs', xai_version, NULL, COUNT(*), MIN(started_at), MAX(started_at)
  FROM audit_runs GROUP BY xai_version
)
ORDER BY table_name, first_written;
