package io.xaiscale.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the bench says of the machine it ran on. */
final class Machine {
    private Machine() {}

    /** tcmalloc when the launcher preloaded it (deploy/allocator.sh), else glibc's malloc. */
    static String nativeAllocator() {
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        return preload.contains("tcmalloc") ? "tcmalloc (preloaded)" : "glibc malloc";
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
