-- Rows that carry an error: images that could not be decoded, explanations that could not be
-- computed, metrics that do not apply. Nothing is dropped; this is where it shows.
SELECT 'images' AS table_name, image_id, source_uri AS detail, error FROM images WHERE error IS NOT NULL
UNION ALL
SELECT 'explanations', image_id, method_spec, error FROM explanations WHERE error IS NOT NULL
UNION ALL
SELECT 'metrics', image_id, metric, FIRST(error) FROM metrics WHERE error IS NOT NULL GROUP BY image_id, metric
ORDER BY table_name, image_id, detail;
