package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.cli.Cli;
import io.xaiscale.jobs.cli.Output;
import io.xaiscale.jobs.delta.Provenance;
import io.xaiscale.jobs.runtime.ModelFiles;
import io.xaiscale.jobs.session.Endpoints;
import java.io.FileNotFoundException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;

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
                new PredictCommand(),
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
        Output.separate(); // data to stdout, progress and logs to stderr
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The command line of every command (picocli's model of their declared options). */
    static CommandLine commandLine(Map<String, Command> commands) {
        return Cli.root(commands.values().stream()
                .map(c -> new Cli.Sub(c.name(), c.summary(), Defaults.withCatalog(c.options())))
                .toList());
    }

    public static int run(String[] args) throws Exception {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("help")) {
            Output.data().println(usage(commands));
            return args.length == 0 ? 2 : 0;
        }
        CommandLine line = commandLine(commands);
        if (args[0].equals("completion")) {
            Output.data().println(AutoComplete.bash("xai", line));
            return 0;
        }
        CommandLine.ParseResult parsed;
        try {
            parsed = line.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return usageError(commands, args, e);
        }
        if (parsed.isUsageHelpRequested()) {
            Output.data().println(usage(commands));
            return 0;
        }
        if (parsed.isVersionHelpRequested()) {
            Output.data().println(Provenance.line());
            return 0;
        }
        CommandLine.ParseResult sub = parsed.subcommand();
        if (sub == null) {
            System.err.println("xai: no command given (valid: " + String.join(", ", commands.keySet()) + ")");
            return 2;
        }
        Command c = commands.get(sub.commandSpec().name());
        if (sub.isUsageHelpRequested()) {
            Output.data()
                    .println(c.name() + ": " + c.summary() + "\n"
                            + Defaults.withCatalog(c.options()).usage());
            return 0;
        }
        return run(c, Cli.normalized(sub));
    }

    /**
     * A command line picocli could not read, as one line and exit code 2: an unknown command with the
     * valid ones; for a command, the options' own message (naming the value and the valid choices) and
     * picocli's suggestion of the option meant.
     */
    static int usageError(Map<String, Command> commands, String[] args, CommandLine.ParameterException e) {
        Command c = commands.get(args[0]);
        if (c == null) {
            System.err.println(
                    "Unknown command: " + args[0] + " (valid: " + String.join(", ", commands.keySet()) + ")");
            return 2;
        }
        String message = e.getMessage();
        try {
            Defaults.withCatalog(c.options())
                    .parse(Arrays.stream(args, 1, args.length)
                            .filter(a -> !a.equals(VERBOSE) && !a.equals("-h") && !a.equals("--help"))
                            .toArray(String[]::new));
        } catch (IllegalArgumentException ours) {
            message = ours.getMessage();
        }
        if (e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getSuggestions().isEmpty()) {
            message += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
        }
        System.err.println("xai " + c.name() + ": " + Endpoints.redact(message));
        return 2;
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
        if (List.of(rest).contains("--help") || List.of(rest).contains("-h")) {
            Output.data().println(c.name() + ": " + c.summary() + "\n" + o.usage());
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
        } catch (Gates.Failed e) {
            System.err.println("xai " + c.name() + ": " + e.getMessage());
            return Gates.EXIT_GATED;
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
                "usage: xai COMMAND [--option value ...]   (xai COMMAND -h for options; xai -V: version)\n\ncommands:\n");
        commands.values().forEach(c -> sb.append(String.format("  %-10s %s%n", c.name(), c.summary())));
        sb.append(String.format(
                "  %-10s %s%n",
                "bench", "./xai bench: each method's and metric's cost; writes docs/benchmarks.md (bench module)"));
        sb.append(String.format("  %-10s %s%n", "completion", "a bash completion script: source <(xai completion)"));
        return sb.toString();
    }
}
