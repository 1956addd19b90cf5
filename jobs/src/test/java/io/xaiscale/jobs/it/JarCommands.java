package io.xaiscale.jobs.it;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs several commands of the job jar's {@code Main} one after the other in one JVM (what a chain of
 * spark-submits would run, without a JVM and a Spark start each): {@code CMD ARGS... --then CMD ARGS...}.
 * Loads {@code Main} by name, so with the job jar first on the classpath every project class comes
 * from the jar; prints each command's exit code and time and exits with the number of commands that
 * failed.
 */
public final class JarCommands {
    private JarCommands() {}

    public static void main(String[] args) throws Exception {
        Method run = Class.forName("io.xaiscale.jobs.Main").getMethod("run", String[].class);
        System.out.println("[jar-commands] Main from "
                + run.getDeclaringClass().getProtectionDomain().getCodeSource().getLocation());
        List<List<String>> commands = new ArrayList<>(List.of(new ArrayList<>()));
        for (String a : args) {
            if (a.equals("--then")) {
                commands.add(new ArrayList<>());
            } else {
                commands.get(commands.size() - 1).add(a);
            }
        }
        int failed = 0;
        for (List<String> c : commands) {
            long t0 = System.nanoTime();
            int code;
            try {
                code = (Integer) run.invoke(null, (Object) c.toArray(new String[0]));
            } catch (InvocationTargetException e) {
                e.getCause().printStackTrace();
                code = 1;
            }
            failed += code == 0 ? 0 : 1;
            System.out.printf("[jar-commands] %s exit %d (%.1f s)%n", c.get(0), code, (System.nanoTime() - t0) / 1e9);
        }
        System.out.println("[jar-commands] " + failed + " of " + commands.size() + " command(s) failed");
        System.exit(failed);
    }
}
