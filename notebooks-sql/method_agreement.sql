-- Method agreement matrix: for each model and pair of method configurations, how alike their
-- maps are over all images (absolute maps; see the relevance column): mean Pearson, Spearman,
-- SSIM, L1 similarity (1 = identical) and KL divergence (0 = identical). Pairs are stored once
-- (a < b by params hash); this lists both directions so the result pivots into a full matrix.
WITH pairs AS (
  SELECT model_id, model_version, method_spec_a AS method_x, method_spec_b AS method_y,
         pearson, spearman, ssim, l1_similarity, kl_divergence FROM method_agreement
  UNION ALL
  SELECT model_id, model_version, method_spec_b, method_spec_a,
         pearson, spearman, ssim, l1_similarity, kl_divergence FROM method_agreement
)
SELECT model_id, model_version, method_x, method_y, COUNT(*) AS images,
       ROUND(AVG(pearson), 3) AS pearson, ROUND(AVG(spearman), 3) AS spearman, ROUND(AVG(ssim), 3) AS ssim,
       ROUND(AVG(l1_similarity), 3) AS l1_similarity, ROUND(AVG(kl_divergence), 3) AS kl_divergence
FROM pairs
GROUP BY model_id, model_version, method_x, method_y
ORDER BY model_id, model_version, method_x, spearman DESC;
