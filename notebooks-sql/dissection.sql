-- Network Dissection (`xai dissect`): per model and layer, each unit's best class by IoU of its
-- thresholded activation maps with that class's boxes over the dataset, and the share of its mask
-- that falls inside any object. Units with a low best IoU and a low inside share fire on the
-- background clutter; a class detected only by such units is a Clever-Hans suspect.
WITH ranked AS (
  SELECT d.*, ROW_NUMBER() OVER (PARTITION BY model_id, model_version, params_hash, unit
                                 ORDER BY iou DESC) AS r
  FROM unit_dissection d
  WHERE concept >= 0
),
objects AS (
  SELECT model_id, model_version, params_hash, unit, iou AS object_iou, inside_share
  FROM unit_dissection
  WHERE concept = -1
)
SELECT r.model_id, r.model_version, r.layer, r.unit, r.concept_name AS best_class,
       ROUND(r.iou, 4) AS iou, ROUND(o.object_iou, 4) AS any_object_iou,
       ROUND(o.inside_share, 4) AS inside_share,
       CASE WHEN o.inside_share < 0.5 THEN 'background' ELSE 'object' END AS fires_on
FROM ranked r
JOIN objects o USING (model_id, model_version, params_hash, unit)
WHERE r.r = 1
ORDER BY r.model_id, r.model_version, r.layer, r.iou DESC;
