package io.xaiscale.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Command-line options of one command: {@code --name value} or {@code --flag}, each declared with a
 * default and a description; {@code --config FILE} reads a properties file of the same names first.
 * An unknown option fails naming the valid ones, and every resolved value can be recorded.
 */
public final class Options {
    /**
     * A declared option. A null default means required; a {@code flag} is a boolean: {@code --name},
     * {@code --name=true|false} and {@code --name true|false} all work; a
     * {@code path} option's relative local value, when the user gives it, is resolved against the
     * directory the user called from ({@link #CALLER_DIR}), not the launcher's.
     */
    public record Option(String name, String defaultValue, boolean flag, boolean path, String help) {}

    /**
     * The environment variable naming the caller's working directory: {@code ./xai} sets it before it
     * changes to the repository (where the defaults live). Unset, relative paths stay as given.
     */
    public static final String CALLER_DIR = "XAI_CALLER_DIR";

    private final String command;
    private final Map<String, Option> declared = new LinkedHashMap<>();
    private final Map<String, String> values = new TreeMap<>();

    public Options(String command) {
        this.command = command;
    }

    public Options add(String name, String defaultValue, String help) {
        declared.put(name, new Option(name, defaultValue, false, false, help));
        return this;
    }

    /** An option whose value is a file, folder or URI ({@link Option}): defaults stay relative to the launcher. */
    public Options path(String name, String defaultValue, String help) {
        declared.put(name, new Option(name, defaultValue, false, true, help));
        return this;
    }

    /** Whether the command declares option {@code name}. */
    public boolean declares(String name) {
        return declared.containsKey(name);
    }

    /** A boolean option that is off unless given ({@code --name} alone turns it on). */
    public Options flag(String name, String help) {
        return bool(name, false, help);
    }

    /** A boolean option with its default: {@code --name}, {@code --name=false}, {@code --name false}. */
    public Options bool(String name, boolean defaultValue, String help) {
        declared.put(name, new Option(name, Boolean.toString(defaultValue), true, false, help));
        return this;
    }

    /** The declared options, in declaration order (for the command line's parser and help). */
    public List<Option> declared() {
        return List.copyOf(declared.values());
    }

    /** The command these options belong to. */
    public String command() {
        return command;
    }

    /**
     * {@code value} resolved against {@code base} when it is a relative local path; absolute paths,
     * URIs with a scheme ({@code s3a://}, {@code file:}) and the empty value (none) stay as they are.
     */
    static String resolve(String value, String base) {
        if (base == null || base.isBlank() || value.isBlank() || value.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return value;
        }
        Path p = Path.of(value);
        return p.isAbsolute() ? value : Path.of(base).resolve(p).normalize().toString();
    }

    public Options parse(String[] args) {
        return parse(args, System.getenv(CALLER_DIR));
    }

    /** {@link #parse(String[])} with relative paths the user gives resolved against {@code caller} (null: as given). */
    Options parse(String[] args, String caller) {
        List<String> list = List.of(args);
        int configAt = list.indexOf("--config");
        if (configAt >= 0) {
            if (configAt + 1 >= list.size()) {
                throw new IllegalArgumentException("Option --config needs a file");
            }
            loadProperties(Path.of(resolve(list.get(configAt + 1), caller)));
        }
        for (String a : args) {
            if (a.startsWith("--config=")) {
                loadProperties(Path.of(resolve(a.substring("--config=".length()), caller)));
            }
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException(
                        "Unexpected argument for " + command + ": " + a + " (options look like --name value)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("config")) {
                i += value == null ? 1 : 0; // --config FILE, or --config=FILE
                continue;
            }
            Option o = option(name);
            if (o.flag()) {
                if (value == null
                        && i + 1 < args.length
                        && (args[i + 1].equals("true") || args[i + 1].equals("false"))) {
                    value = args[++i];
                }
                values.put(name, value == null ? "true" : value);
            } else {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(
                                "Option --" + name + " of " + command + " needs a value (" + o.help() + ")");
                    }
                    value = args[++i];
                }
                values.put(name, value);
            }
        }
        for (Option o : declared.values()) {
            if (o.path() && values.containsKey(o.name())) {
                values.put(o.name(), resolve(values.get(o.name()), caller));
            }
        }
        for (Option o : declared.values()) {
            if (!values.containsKey(o.name())) {
                if (o.defaultValue() == null) {
                    throw new IllegalArgumentException(
                            "Missing option --" + o.name() + " for " + command + " (" + o.help() + ")");
                }
                values.put(o.name(), o.defaultValue());
            }
        }
        return this;
    }

    private void loadProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read config file " + file + ": " + e.getMessage(), e);
        }
        for (String name : p.stringPropertyNames()) {
            option(name);
            values.put(name, p.getProperty(name).trim());
        }
    }

    private Option option(String name) {
        Option o = declared.get(name);
        if (o == null) {
            throw new IllegalArgumentException("Unknown option --" + name + " for " + command + " (valid: "
                    + String.join(
                            ", ", declared.keySet().stream().map(k -> "--" + k).toList()) + ", --config)");
        }
        return o;
    }

    public String get(String name) {
        option(name);
        return values.get(name);
    }

    public boolean getFlag(String name) {
        String v = get(name);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("Invalid --" + name + ": " + v + " (valid: true, false)");
        }
        return Boolean.parseBoolean(v);
    }

    public int getInt(String name, int min, int max) {
        String v = get(name);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid --" + name + ": " + v + " (must be an integer)");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(
                    "Invalid --" + name + ": " + v + " (must be in [" + min + ", " + max + "])");
        }
        return n;
    }

    public long getLong(String name) {
        String v = get(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid --" + name + ": " + v + " (must be an integer)");
        }
    }

    public long getLong(String name, long min, long max) {
        long n = getLong(name);
        if (n < min || n > max) {
            throw new IllegalArgumentException(
                    "Invalid --" + name + ": " + n + " (must be in [" + min + ", " + max + "])");
        }
        return n;
    }

    /** A number in {@code [min, max)}; fails naming the value and the range. */
    public double getDouble(String name, double min, double maxExclusive) {
        String v = get(name);
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid --" + name + ": " + v + " (must be a number)");
        }
        if (!(d >= min && d < maxExclusive)) {
            throw new IllegalArgumentException(
                    "Invalid --" + name + ": " + v + " (must be in [" + min + ", " + maxExclusive + "))");
        }
        return d;
    }

    public String getChoice(String name, List<String> choices) {
        String v = get(name);
        if (!choices.contains(v)) {
            throw new IllegalArgumentException(
                    "Invalid --" + name + ": " + v + " (valid: " + String.join(", ", choices) + ")");
        }
        return v;
    }

    /** Every resolved value (defaults included), for recording in outputs and logs. */
    public Map<String, String> resolved() {
        return new TreeMap<>(values);
    }

    public String usage() {
        StringBuilder sb = new StringBuilder("Options of " + command + ":\n");
        List<Option> all = new ArrayList<>(declared.values());
        for (Option o : all) {
            sb.append(String.format(
                    "  --%-22s %s%s%n",
                    o.name() + (o.flag() ? "[=B]" : " V"),
                    o.help(),
                    o.defaultValue() == null ? " (required)" : " (default: " + o.defaultValue() + ")"));
        }
        sb.append(String.format("  --%-22s %s%n", "config FILE", "properties file with any of these options"));
        sb.append(String.format("  --%-22s %s%n", "verbose", "print the stack trace of an error too"));
        sb.append(String.format("  %-24s %s%n", "-h, --help", "this help"));
        sb.append("  (B: true or false; --name alone is true)\n");
        return sb.toString();
    }
}
