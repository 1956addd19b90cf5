package io.xaiscale.jobs.ingest;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.xaiscale.jobs.runtime.FileListing;
import io.xaiscale.util.Errors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * {@code --layout webdataset}: tar shards as WebDataset writes them ({@code 000123.tar} holding
 * {@code key.jpg}, {@code key.cls}, {@code key.json} ...), each shard streamed by one task on the
 * executors (the driver lists the shards, never their members). A sample is the run of consecutive
 * members that share a key (the member's path up to the first dot of its file name); its image is
 * its first member with an image extension, its label the {@code .cls} text (a class index or name) or
 * the {@code label} field of its {@code .json}, its split that JSON's {@code split}. A sample without
 * an image, an image above the size limit, and a shard that ends inside a member (its samples before
 * are kept) are error rows; each sample is the input {@code <shard>#<key>}.
 */
final class WebDataset {
    private WebDataset() {}

    /** The rows a source hands {@link TableSource}: an input's name, its bytes, label, split, and what is wrong. */
    static final StructType ROWS = createStructType(List.of(
            createStructField("source_uri", StringType, false),
            createStructField("content", BinaryType, true),
            createStructField("label", StringType, true),
            createStructField("label_is_name", BooleanType, false),
            createStructField("split", StringType, true),
            createStructField("problem", StringType, true)));

    static final Set<String> IMAGES = Set.of("jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff");

    /** The shards under {@code root} (every {@code .tar}, recursively), read by the executors. */
    static Dataset<Row> rows(SparkSession spark, FileSystem fs, Path root, long maxBytes) throws IOException {
        List<String> shards = new ArrayList<>();
        RemoteIterator<FileStatus> it = FileListing.files(fs, root);
        while (it.hasNext()) {
            Path p = it.next().getPath();
            if (p.getName().toLowerCase(Locale.ROOT).endsWith(".tar")) {
                shards.add(p.toString());
            }
        }
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("--layout webdataset found no .tar shard under " + root);
        }
        shards.sort(null);
        System.out.printf("[ingest] %d WebDataset shard(s) under %s%n", shards.size(), root);
        return spark.createDataFrame(
                JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .parallelize(shards, shards.size())
                        .flatMap(new Samples(maxBytes)),
                ROWS);
    }

    /** Executor side: one shard's samples, streamed. */
    static final class Samples implements FlatMapFunction<String, Row> {
        private static final ObjectMapper JSON = new ObjectMapper();
        /** Metadata members are small; a larger one is not read. */
        private static final int MAX_METADATA = 1 << 20;

        private final long maxBytes;

        Samples(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public Iterator<Row> call(String shard) {
            Configuration conf =
                    SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf());
            List<Row> out = new ArrayList<>();
            Path path = new Path(shard);
            Sample current = null;
            int samples = 0;
            try (InputStream s = path.getFileSystem(conf).open(path);
                    TarArchiveInputStream tar = new TarArchiveInputStream(s)) {
                for (TarArchiveEntry e = tar.getNextTarEntry(); e != null; e = tar.getNextTarEntry()) {
                    if (!e.isFile()) {
                        continue;
                    }
                    String name = e.getName();
                    int slash = name.lastIndexOf('/');
                    int dot = name.indexOf('.', slash + 1);
                    String key = dot < 0 ? name : name.substring(0, dot);
                    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
                    if (current == null || !current.key.equals(key)) {
                        if (current != null) {
                            out.add(current.row(shard));
                            samples++;
                        }
                        current = new Sample(key);
                    }
                    current.members.add(name);
                    if (IMAGES.contains(ext) && current.image == null && current.imageProblem == null) {
                        if (e.getSize() > maxBytes) {
                            current.imageProblem = String.format(
                                    Locale.ROOT,
                                    "image member %s of %d bytes is above the limit of %d bytes (raise it with"
                                            + " --max-file-bytes)",
                                    name,
                                    e.getSize(),
                                    maxBytes);
                        } else {
                            current.image = tar.readAllBytes();
                        }
                    } else if ((ext.equals("cls") || ext.equals("json")) && e.getSize() <= MAX_METADATA) {
                        String text = new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                        if (ext.equals("cls")) {
                            current.cls = text.strip();
                        } else {
                            current.json(text);
                        }
                    }
                }
                if (current != null) {
                    out.add(current.row(shard));
                }
            } catch (IOException | RuntimeException e) {
                // a shard cut short: the samples read are kept; the one it ends in and the damage are error rows
                if (current != null && current.image != null) {
                    out.add(current.row(shard));
                }
                out.add(RowFactory.create(
                        shard + "#(unreadable after " + samples + " sample(s))",
                        null,
                        null,
                        false,
                        null,
                        "unreadable shard after " + samples + " sample(s): " + Errors.describe(e)));
            }
            return out.iterator();
        }

        /** The members of one key. */
        private static final class Sample {
            final String key;
            final List<String> members = new ArrayList<>();
            byte[] image;
            String imageProblem;
            String cls;
            String jsonLabel;
            boolean jsonLabelIsName;
            String split;
            String jsonProblem;

            Sample(String key) {
                this.key = key;
            }

            void json(String text) {
                try {
                    JsonNode n = JSON.readTree(text);
                    JsonNode label = n.get("label");
                    if (label != null && (label.isIntegralNumber() || label.isTextual())) {
                        jsonLabel = label.asText();
                        jsonLabelIsName = label.isTextual();
                    }
                    JsonNode s = n.get("split");
                    if (s != null && s.isTextual()) {
                        split = s.asText();
                    }
                } catch (IOException e) {
                    jsonProblem = key + ".json: not JSON";
                }
            }

            Row row(String shard) {
                String label = cls != null ? cls : jsonLabel;
                boolean named = cls != null ? !cls.matches("-?\\d+") : jsonLabelIsName;
                String problem = imageProblem;
                if (problem == null && image == null) {
                    problem = "no image member (members: " + String.join(", ", members) + ")";
                }
                if (jsonProblem != null) {
                    problem = problem == null ? jsonProblem : problem + "; " + jsonProblem;
                }
                return RowFactory.create(shard + "#" + key, image, label, named, split, problem);
            }
        }
    }
}
