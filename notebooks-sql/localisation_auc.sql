-- How well each method's map separates the object from the background: mean ROC AUC of the
-- absolute map against the ground-truth box (0.5 = chance, 1 = every box pixel ranked first), from
-- the method_agreement table, where every map appears in at least one pair.
WITH maps AS (
  SELECT image_id, model_id, model_version, method_spec_a AS method_spec, auc_a AS auc FROM method_agreement
  UNION
  SELECT image_id, model_id, model_version, method_spec_b, auc_b FROM method_agreement
)
SELECT model_id, model_version, method_spec, COUNT(auc) AS images, ROUND(AVG(auc), 3) AS mean_auc,
       RANK() OVER (PARTITION BY model_id, model_version ORDER BY AVG(auc) DESC) AS rank
FROM maps
WHERE auc IS NOT NULL
GROUP BY model_id, model_version, method_spec
ORDER BY model_id, model_version, rank;
