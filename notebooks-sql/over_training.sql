-- Over training: the checkpoints of `xai train --checkpoints` are versions <version>-epoch<K> of one
-- model id; explain and evaluate them like any version, and this follows every metric of every
-- method from epoch to epoch (e.g. the pointing game of grad_cam rising as the features form; each
-- checkpoint's model.json records its test accuracy).
SELECT model_id,
       CAST(regexp_extract(model_version, '-epoch([0-9]+)$', 1) AS INT) AS epoch,
       method, metric, COUNT(value) AS n, ROUND(AVG(value), 4) AS mean
FROM metrics
WHERE model_version RLIKE '-epoch[0-9]+$' AND value IS NOT NULL
GROUP BY model_id, model_version, method, metric
ORDER BY model_id, metric, method, epoch;

-- What the units respond to, per checkpoint: the layers' visualised units and their final
-- activations (`xai visualise --model <checkpoint>`), strongest first.
SELECT model_id, model_version, layer, COUNT(*) AS units, ROUND(AVG(activation), 3) AS mean_activation,
       ROUND(MAX(activation), 3) AS max_activation,
       ROUND(AVG(trace[size(trace) - 1] - trace[0]), 3) AS mean_rise
FROM unit_visualisations
WHERE error IS NULL
GROUP BY model_id, model_version, layer
ORDER BY model_id, model_version, layer;
