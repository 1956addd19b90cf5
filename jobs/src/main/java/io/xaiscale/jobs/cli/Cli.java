package io.xaiscale.jobs.cli;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.delta.Provenance;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line as picocli's model, made from each command's declared {@link Options} (one
 * declaration: picocli parses and prints help; {@link Options} keeps the values, the {@code --config}
 * file, relative paths and the typed, one-line checks). Every command takes {@code -h/--help},
 * {@code --verbose} and {@code --config FILE}; booleans take {@code --name}, {@code --name=B} or
 * {@code --name B}; {@code xai -V/--version} prints the version and commit of the build.
 */
public final class Cli {
    private Cli() {}

    /** A command of the line: its name, summary and declared options. */
    public record Sub(String name, String summary, Options options) {}

    /** The root {@code xai} with one subcommand per {@code subs}. */
    public static CommandLine root(List<Sub> subs) {
        CommandSpec root =
                CommandSpec.create().name("xai").mixinStandardHelpOptions(true).version(Provenance.line());
        root.usageMessage().description("Explaining image classifiers at dataset scale on Spark");
        CommandLine line = new CommandLine(root);
        for (Sub s : subs) {
            line.addSubcommand(s.name(), new CommandLine(spec(s)));
        }
        // an option given twice keeps its last value (a wrapper script's default, then the user's)
        line.setOverwrittenOptionsAllowed(true);
        return line;
    }

    static CommandSpec spec(Sub s) {
        CommandSpec spec = CommandSpec.create().name(s.name());
        spec.usageMessage().description(s.summary());
        spec.addOption(OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("this help")
                .build());
        for (Options.Option o : s.options().declared()) {
            OptionSpec.Builder b = OptionSpec.builder("--" + o.name())
                    .type(String.class)
                    .description(o.help()
                            + (o.defaultValue() == null ? " (required)" : " (default: " + o.defaultValue() + ")"));
            if (o.flag()) {
                b.arity("0..1").paramLabel("true|false").fallbackValue("true");
            } else {
                b.arity("1").paramLabel("V");
            }
            spec.addOption(b.build());
        }
        spec.addOption(OptionSpec.builder("--config")
                .type(String.class)
                .paramLabel("FILE")
                .description("properties file with any of these options")
                .build());
        spec.addOption(OptionSpec.builder("--verbose")
                .arity("0")
                .type(boolean.class)
                .description("print the stack trace of an error too")
                .build());
        return spec;
    }

    /**
     * The options the user gave a subcommand, in the one form {@link Options#parse} reads
     * ({@code --name=value}, {@code --verbose}), whatever form they were written in.
     */
    public static String[] normalized(ParseResult sub) {
        List<String> out = new ArrayList<>();
        for (OptionSpec o : sub.matchedOptions()) {
            String name = o.longestName();
            if (o.usageHelp()) {
                continue;
            }
            if (name.equals("--verbose")) {
                out.add(name);
            } else {
                out.add(name + "=" + (String) o.getValue());
            }
        }
        return out.toArray(new String[0]);
    }
}
