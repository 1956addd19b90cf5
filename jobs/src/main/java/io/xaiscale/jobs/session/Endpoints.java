package io.xaiscale.jobs.session;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;

/**
 * The object stores a command names, checked before Spark starts: an {@code s3a://} location whose
 * endpoint cannot be reached fails within {@code fs.s3a.connection.establish.timeout} (10 s unless
 * set), naming the endpoint, instead of S3A's retries hanging for minutes. Credentials written into a
 * URI are never echoed ({@link #redact}).
 */
public final class Endpoints {
    static final String TIMEOUT = "fs.s3a.connection.establish.timeout";
    static final long DEFAULT_TIMEOUT_MS = 10_000;

    private Endpoints() {}

    /** {@code text} with the user-info part of every URI (credentials, {@code s3a://KEY:SECRET@bucket}) masked. */
    public static String redact(String text) {
        return text == null ? null : text.replaceAll("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@", "$1***@");
    }

    /** Fails, naming the endpoint, when an {@code s3a://} location among {@code values} cannot be reached. */
    public static void checkReachable(Configuration conf, Iterable<String> values) {
        Set<String> buckets = new LinkedHashSet<>();
        for (String v : values) {
            if (v != null && v.toLowerCase(Locale.ROOT).startsWith("s3a://")) {
                String rest = v.substring("s3a://".length());
                rest = rest.substring(rest.indexOf('@') + 1); // never the credentials
                int slash = rest.indexOf('/');
                buckets.add(slash < 0 ? rest : rest.substring(0, slash));
            }
        }
        long timeoutMs = conf.getTimeDuration(TIMEOUT, DEFAULT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        for (String bucket : buckets) {
            String configured =
                    conf.getTrimmed("fs.s3a.bucket." + bucket + ".endpoint", conf.getTrimmed("fs.s3a.endpoint", ""));
            boolean ssl = conf.getBoolean("fs.s3a.connection.ssl.enabled", true);
            boolean pathStyle = conf.getBoolean("fs.s3a.path.style.access", false);
            String endpoint = configured.isEmpty() ? "s3.amazonaws.com" : configured;
            URI u = URI.create(endpoint.contains("://") ? endpoint : (ssl ? "https://" : "http://") + endpoint);
            String host =
                    configured.isEmpty() || !pathStyle ? virtualHost(bucket, u.getHost(), configured) : u.getHost();
            int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeoutMs));
            } catch (IOException e) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "Cannot reach the S3 endpoint %s (host %s, port %d) for bucket %s within %d ms: %s."
                                + " Check spark.hadoop.fs.s3a.endpoint (and .path.style.access for S3-compatible"
                                + " stores), or wait longer with spark.hadoop.%s",
                        configured.isEmpty() ? "of AWS (none configured)" : configured,
                        host,
                        port,
                        bucket,
                        timeoutMs,
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                        TIMEOUT));
            }
        }
    }

    /** The host a virtual-hosted request goes to: the bucket before the endpoint's host (AWS's default). */
    private static String virtualHost(String bucket, String host, String configured) {
        return configured.isEmpty() || host.matches("[0-9.]+|localhost") ? host : bucket + "." + host;
    }
}
