-- Every input that gave no usable result, and why: images that could not be used (a file that does
-- not decode, bad manifest values: the error names the line), inputs that made no image row at all
-- (ingest_rejects: files that are not images, hidden, broken links or the same bytes as another
-- file; manifest rows that name no file, repeat another or cannot be read), explanations that could
-- not be computed, metrics that do not apply. Nothing is dropped; this is where it shows.
SELECT 'images' AS table_name, image_id AS item, source_uri AS detail, error FROM images WHERE error IS NOT NULL
UNION ALL
SELECT 'ingest_rejects', input, reason, detail FROM ingest_rejects
UNION ALL
SELECT 'explanations', image_id, method_spec, error FROM explanations WHERE error IS NOT NULL
UNION ALL
SELECT 'metrics', image_id, metric, FIRST(error) FROM metrics WHERE error IS NOT NULL GROUP BY image_id, metric
ORDER BY table_name, item, detail;
