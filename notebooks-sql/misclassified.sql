-- Images explained for both their predicted and their true class (--target predicted,label): per
-- method and localisation metric, the map of the predicted class next to the map of the true class,
-- both scored against the image's object, for misclassified images (and, for reference, the
-- correctly classified ones, where both maps explain the same class). Low values for both: the model
-- looked elsewhere (background, watermark: the Clever-Hans signal); a high true-class value with a
-- low predicted-class value: the model saw the object and still preferred another class.
WITH maps AS (
  SELECT model_id, model_version, image_id, method_spec, params_hash, target_rule, target_class
  FROM explanations
  WHERE error IS NULL AND target_rule IN ('predicted', 'label')
),
scored AS (
  SELECT p.model_id, p.model_version, p.image_id, p.method_spec, p.target_rule, p.target_class, m.metric, m.value
  FROM maps p
  JOIN metrics m ON m.model_id = p.model_id AND m.model_version = p.model_version
                AND m.image_id = p.image_id AND m.params_hash = p.params_hash
  WHERE m.value IS NOT NULL AND m.metric IN ('iou', 'pointing_game', 'relevance_mass', 'mask_auc')
)
SELECT w.model_id, w.model_version, w.method_spec, w.metric,
       w.target_class <> t.target_class AS misclassified, COUNT(*) AS images,
       ROUND(AVG(w.value), 4) AS predicted_class_mean, ROUND(AVG(t.value), 4) AS true_class_mean
FROM scored w
JOIN scored t ON t.model_id = w.model_id AND t.model_version = w.model_version AND t.image_id = w.image_id
             AND t.method_spec = w.method_spec AND t.metric = w.metric
WHERE w.target_rule = 'predicted' AND t.target_rule = 'label'
GROUP BY w.model_id, w.model_version, w.method_spec, w.metric, misclassified
ORDER BY w.model_id, w.model_version, w.metric, w.method_spec, misclassified DESC;
