package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scheduling templates of {@code deploy/schedule} (not run here: no cron daemon, Kubernetes or
 * Airflow): each parses, submits the job jar's main class with {@code audit --file}, and names the
 * Spark settings the README documents.
 */
class ScheduleTemplatesTest {
    static final Path DIR = Fixture.repoRoot().resolve("deploy/schedule");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code args} holds {@code audit --file <a yaml file>} in that order. */
    static void assertAudit(List<String> args, String where) {
        int i = args.indexOf("audit");
        assertTrue(
                i >= 0 && args.get(i + 1).equals("--file") && args.get(i + 2).endsWith(".yaml"), where + ": " + args);
    }

    @Test
    void theKubernetesCronJobSubmitsTheAuditInClusterMode() throws Exception {
        JsonNode job = YAML.readTree(DIR.resolve("k8s-cronjob.yaml").toFile());
        assertEquals("CronJob", job.get("kind").asText());
        assertEquals(5, job.at("/spec/schedule").asText().split(" ").length);
        assertEquals(0, job.at("/spec/jobTemplate/spec/backoffLimit").asInt(), "a gated run is not retried");
        JsonNode c = job.at("/spec/jobTemplate/spec/template/spec/containers/0");
        assertTrue(c.get("command").get(0).asText().endsWith("/bin/spark-submit"));
        List<String> args = texts(c.get("args"));
        assertEquals("cluster", args.get(args.indexOf("--deploy-mode") + 1));
        assertEquals("io.xaiscale.jobs.Main", args.get(args.indexOf("--class") + 1));
        assertTrue(args.contains("local:///opt/xaiscale/xaiscale-jobs-job.jar"), args.toString());
        assertTrue(args.get(args.indexOf("--properties-file") + 1).endsWith("spark-k8s.merged.conf"));
        assertAudit(args, "k8s-cronjob.yaml");
        // the image puts the jar and the merged settings where the job reads them
        String docker = Files.readString(Fixture.repoRoot().resolve("deploy/kubernetes/Dockerfile"));
        assertTrue(docker.contains("/opt/xaiscale/xaiscale-jobs-job.jar"));
        assertTrue(docker.contains(
                "spark-defaults.conf /opt/xaiscale/conf/spark-k8s.conf > /opt/xaiscale/conf/spark-k8s.merged.conf"));
    }

    @Test
    void theSparkOperatorApplicationRunsTheSameJar() throws Exception {
        JsonNode app =
                YAML.readTree(DIR.resolve("scheduled-spark-application.yaml").toFile());
        assertEquals("ScheduledSparkApplication", app.get("kind").asText());
        JsonNode t = app.get("spec").get("template");
        assertEquals("cluster", t.get("mode").asText());
        assertEquals("io.xaiscale.jobs.Main", t.get("mainClass").asText());
        assertEquals(
                "local:///opt/xaiscale/xaiscale-jobs-job.jar",
                t.get("mainApplicationFile").asText());
        assertAudit(texts(t.get("arguments")), "scheduled-spark-application.yaml");
        assertEquals("Never", t.at("/restartPolicy/type").asText());
    }

    @Test
    void theAirflowDagAndTheCrontabSubmitTheAudit() throws Exception {
        String dag = Files.readString(DIR.resolve("airflow_dag.py"));
        assertTrue(dag.contains("SparkSubmitOperator("));
        assertTrue(dag.contains("java_class=\"io.xaiscale.jobs.Main\""));
        assertTrue(dag.contains("application=\"/opt/xaiscale/xaiscale-jobs-job.jar\""));
        assertTrue(dag.contains("properties_file=\"/opt/xaiscale/conf/spark-defaults.conf\""));
        assertTrue(dag.contains("application_args=[\"audit\", \"--file\", "));
        assertTrue(dag.contains("\"retries\": 0"));
        List<String> lines = Files.readAllLines(DIR.resolve("crontab.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        assertEquals(1, lines.size());
        List<String> f = List.of(lines.get(0).split("\\s+"));
        assertTrue(f.subList(0, 5).stream().allMatch(x -> x.matches("[0-9*/,-]+")), "five schedule fields: " + f);
        assertTrue(f.contains("deploy/submit.sh"));
        String conf = f.get(f.indexOf("--properties-file") + 1);
        assertTrue(Files.isRegularFile(Fixture.repoRoot().resolve(conf)), conf);
        assertAudit(f.subList(f.indexOf("--"), f.size()), "crontab.txt");
    }
}
