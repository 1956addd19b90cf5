package io.xaiscale.jobs.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium (Debian package {@code chromium}, installed by {@code ./xai test}) opening a
 * report page from disk: the DOM after its scripts ran, the URLs it requested (Chromium's net log),
 * and a screenshot. No network, a fresh profile per call.
 */
public final class Chromium {
    public static final Path BINARY = Path.of("/usr/bin/chromium");

    /**
     * What a page showed: its DOM after the scripts, and every URL of the net log but Chromium's own
     * service calls (its clock, component updates, the account check of a fresh profile), which no
     * flag turns off and which are not the page's.
     */
    public record Visit(String dom, List<String> urls) {
        static final List<String> CHROMIUM_OWN = List.of(
                "://clients2.google.com/time/",
                "://update.googleapis.com/service/update2/",
                "://accounts.google.com/ListAccounts");

        /** The URLs outside the page's folder (not {@code file:}) that the page asked for. */
        public List<String> leaving() {
            return urls.stream()
                    .filter(u -> !u.startsWith("file:"))
                    .filter(u -> CHROMIUM_OWN.stream().noneMatch(u::contains))
                    .distinct()
                    .toList();
        }
    }

    private Chromium() {}

    /** Chromium must be there on CI (the test command installs it); elsewhere its tests are skipped. */
    public static void require() {
        if (System.getenv("CI") != null) {
            assertTrue(
                    Files.isExecutable(BINARY), BINARY + " missing: ./xai test installs the Debian package chromium");
        }
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "no " + BINARY + " (./xai test installs it)");
    }

    private static List<String> base(Path work) {
        return new ArrayList<>(List.of(
                BINARY.toString(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                "--no-first-run",
                "--no-default-browser-check",
                "--mute-audio",
                "--allow-file-access-from-files",
                "--user-data-dir=" + work.resolve("profile"),
                "--window-size=1400,2200",
                "--virtual-time-budget=8000"));
    }

    private static String run(List<String> cmd, Path work, String name) throws IOException, InterruptedException {
        Path out = work.resolve(name + ".out");
        Path err = work.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + cmd + "\n" + Files.readString(err));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("chromium exited " + p.exitValue() + ": " + Files.readString(err));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** Opens {@code page}, returns its DOM after the scripts and the URLs it asked for. */
    public static Visit open(Path page, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        String name = page.getFileName().toString();
        Path netlog = work.resolve(name + ".netlog.json");
        List<String> cmd = base(work);
        cmd.add("--log-net-log=" + netlog);
        cmd.add("--dump-dom");
        cmd.add(page.toUri().toString());
        String dom = run(cmd, work, name + ".dom");
        List<String> urls = new ArrayList<>();
        if (Files.exists(netlog)) {
            Matcher m = Pattern.compile("\"url\":\"([^\"]+)\"").matcher(Files.readString(netlog));
            while (m.find()) {
                urls.add(m.group(1));
            }
        }
        return new Visit(dom, urls);
    }

    /** A screenshot of {@code page} into {@code png}. */
    public static void screenshot(Path page, Path png, Path work) throws IOException, InterruptedException {
        Files.createDirectories(png.getParent());
        List<String> cmd = base(work);
        cmd.add("--screenshot=" + png.toAbsolutePath());
        cmd.add(page.toUri().toString());
        run(cmd, work, page.getFileName() + ".shot");
        assertTrue(Files.size(png) > 10_000, "screenshot of " + page + " is " + Files.size(png) + " bytes");
    }
}
