package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.spark.Endpoints;
import io.xaiscale.jobs.spark.ModelFiles;
import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point of the job jar: {@code xai COMMAND [--option value ...]}. */
public final class Main {
    private Main() {}

    static Map<String, Command> commands() {
        Map<String, Command> m = new LinkedHashMap<>();
        for (Command c : List.<Command>of(
                new DemoCommand(),
                new PipelineCommand(),
                new AuditCommand(),
                new MaintainCommand(),
                new IngestCommand(),
                new ExplainCommand(),
                new EvaluateCommand(),
                new AgreementCommand(),
                new SqlCommand(),
                new OverlaysCommand(),
                new ReportCommand(),
                new ExportCommand(),
                new TrainCommand(),
                new SampleCommand(),
                new MosaicsCommand(),
                new VisualiseCommand(),
                new FiltersCommand(),
                new DissectCommand(),
                new UncertaintyCommand(),
                new RegisterCommand())) {
            m.put(c.name(), c);
        }
        return m;
    }

    /**
     * Exit codes: 0 success (by returning: Spark's cluster-mode drivers, YARN's ApplicationMaster
     * first, take a {@code System.exit} as a failure and retry the job), 2 a usage or validation error,
     * 3 an audit whose gates failed, 1 (an exception) any other failure.
     */
    public static void main(String[] args) throws Exception {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    public static int run(String[] args) throws Exception {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(usage(commands));
            return args.length == 0 ? 2 : 0;
        }
        Command c = commands.get(args[0]);
        if (c == null) {
            System.err.println(
                    "Unknown command: " + args[0] + " (valid: " + String.join(", ", commands.keySet()) + ")");
            return 2;
        }
        return run(c, Arrays.copyOfRange(args, 1, args.length));
    }

    /** Anywhere on the command line: errors of usage and validation print their stack trace too. */
    static final String VERBOSE = "--verbose";

    /**
     * Runs one command with its arguments (no command name). An error of usage or validation (a wrong
     * option or value, a missing file or table: everything checked before Spark starts) prints one line,
     * naming the value and what is valid, and returns 2; {@code --verbose} adds the stack trace.
     */
    public static int run(Command c, String[] args) throws Exception {
        boolean verbose = List.of(args).contains(VERBOSE);
        String[] rest = Arrays.stream(args).filter(a -> !a.equals(VERBOSE)).toArray(String[]::new);
        Options o = Defaults.withCatalog(c.options());
        if (List.of(rest).contains("--help")) {
            System.out.println(c.name() + ": " + c.summary() + "\n" + o.usage());
            return 0;
        }
        try {
            o.parse(rest);
            Endpoints.checkReachable(ModelFiles.driverConf(), o.resolved().values());
            boolean register = !(c instanceof RegisterCommand) && RegisterCommand.wanted(o);
            c.run(o);
            if (register) {
                RegisterCommand.register(o);
            }
            return 0;
        } catch (io.xaiscale.jobs.audit.Gates.Failed e) {
            System.err.println("xai " + c.name() + ": " + e.getMessage());
            return io.xaiscale.jobs.audit.Gates.EXIT_GATED;
        } catch (IllegalArgumentException | FileNotFoundException | NoSuchFileException e) {
            System.err.println("xai " + c.name() + ": " + Endpoints.redact(e.getMessage()));
            if (verbose) {
                e.printStackTrace();
            }
            return 2;
        }
    }

    static String usage(Map<String, Command> commands) {
        StringBuilder sb = new StringBuilder(
                "usage: xai COMMAND [--option value ...]   (xai COMMAND --help for options)\n\ncommands:\n");
        commands.values().forEach(c -> sb.append(String.format("  %-10s %s%n", c.name(), c.summary())));
        sb.append(String.format(
                "  %-10s %s%n",
                "bench", "./xai bench: each method's and metric's cost; writes docs/benchmarks.md (bench module)"));
        return sb.toString();
    }
}
