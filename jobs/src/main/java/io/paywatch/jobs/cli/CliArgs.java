package io.paywatch.jobs.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flags of one command, as {@link CommandLines} (picocli) parsed them: each flag's values
 * (repeatable flags keep every value), read with the checks every command shares (a duration, a
 * whole number, a secret from the environment), each failing with one line naming the flag.
 */
public final class CliArgs {
    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private CliArgs(String command) {
        this.command = command;
    }

    /** The flags of one command as {@link CommandLines} parsed them: name → its values, in order. */
    static CliArgs of(String command, Map<String, List<String>> values) {
        CliArgs a = new CliArgs(command);
        a.values.putAll(values);
        return a;
    }

    public String command() {
        return command;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name) {
        List<String> v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw new UsageException(command + ": flag --" + name + " given more than once");
        }
        return v.get(0);
    }

    public String get(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /**
     * The secret in the environment variable that flag {@code --name} names (secrets never come
     * on the command line), or null when the flag is not given; one line when the variable is not
     * set or empty where the command runs.
     */
    public String secretFromEnv(String name) {
        String variable = get(name);
        if (variable == null) {
            return null;
        }
        String secret = System.getenv(variable);
        if (secret == null || secret.isEmpty()) {
            throw new UsageException(command + ": --" + name + " names " + variable
                    + ", which is not set or empty in the environment");
        }
        return secret;
    }

    public String required(String name) {
        String v = get(name);
        if (v == null) {
            throw new UsageException(command + ": flag --" + name + " is required");
        }
        return v;
    }

    public int intValue(String name, int fallback) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number >= 1, got '"
                    + v + "'");
        }
    }

    /** A duration, where {@code 0} means off. */
    public long durationOrZeroMs(String name, String fallback) {
        String v = get(name, fallback);
        return v.equals("0") ? 0 : durationMs(name, fallback);
    }

    public long durationMs(String name, String fallback) {
        String v = get(name, fallback);
        try {
            return io.paywatch.model.Durations.parseMillis(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": --" + name + ": " + e.getMessage());
        }
    }
}
