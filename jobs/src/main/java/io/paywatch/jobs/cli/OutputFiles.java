package io.paywatch.jobs.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The output files of a run. After a bounded run they are put in a canonical order (parallel
 * operators interleave their lines in no fixed order), so that the same input gives
 * byte-identical files at any parallelism.
 */
public final class OutputFiles implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = io.paywatch.model.JsonLines.FACTORY;

    public final String alerts;
    public final String metrics;
    public final String deadLetters;

    public OutputFiles(String alerts, String metrics, String deadLetters) {
        this.alerts = alerts;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    void checkWritable(String command) {
        for (String f : new String[] {alerts, metrics, deadLetters}) {
            if (f == null) {
                continue;
            }
            Path p = Paths.get(f).toAbsolutePath();
            Path dir = p.getParent();
            if (Files.isDirectory(p)) {
                throw new UsageException(command + ": output " + f + " is a directory");
            }
            if (dir != null && Files.exists(dir) && !Files.isWritable(dir)) {
                throw new UsageException(command + ": cannot write " + f + " (directory not writable)");
            }
        }
    }

    List<String> describe() {
        List<String> out = new ArrayList<>();
        add(out, "alerts", alerts);
        add(out, "metrics", metrics);
        add(out, "dead letters", deadLetters);
        return out;
    }

    private static void add(List<String> out, String what, String file) {
        if (file == null) {
            return;
        }
        try {
            long lines;
            try (var s = Files.lines(Paths.get(file), StandardCharsets.UTF_8)) {
                lines = s.count();
            }
            out.add(what + ": " + file + " (" + lines + " lines)");
        } catch (IOException | java.io.UncheckedIOException e) {
            out.add(what + ": " + file);
        }
    }

    /** Sorts each file into its canonical order. */
    public void sortForReproducibility() throws IOException {
        if (alerts != null) {
            sort(Paths.get(alerts), Comparator.comparing(OutputFiles::alertKey));
        }
        if (metrics != null) {
            sort(Paths.get(metrics), Comparator.comparing(OutputFiles::lineProtocolTime)
                    .thenComparing(Comparator.naturalOrder()));
        }
        if (deadLetters != null) {
            sort(Paths.get(deadLetters), Comparator.comparing(OutputFiles::sourceKey)
                    .thenComparing(Comparator.naturalOrder()));
        }
    }

    private static void sort(Path file, Comparator<String> order) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        lines.sort(order);
        Path tmp = file.resolveSibling(file.getFileName() + ".sorting");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Alerts by the event time of the transition, then id, firing before resolved. */
    static String alertKey(String json) {
        String status = field(json, "status");
        String time = field(json, "transition_at");
        return (time == null ? "" : time) + "|" + field(json, "alert_id") + "|"
                + ("firing".equals(status) ? "0" : "1") + "|" + json;
    }

    static long lineProtocolTime(String line) {
        int sp = line.lastIndexOf(' ');
        try {
            return Long.parseLong(line.substring(sp + 1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Dead letters in input order: file name, then line number. */
    static String sourceKey(String json) {
        String source = field(json, "source");
        if (source == null) {
            return "";
        }
        int colon = source.lastIndexOf(':');
        int at = source.lastIndexOf('@');
        int cut = Math.max(colon, at);
        if (cut < 0) {
            return source;
        }
        String n = source.substring(cut + 1);
        return source.substring(0, cut) + "|" + "0".repeat(Math.max(0, 20 - n.length())) + n;
    }

    private static String field(String json, String name) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (f.equals(name) && v == JsonToken.VALUE_STRING) {
                    return p.getText();
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
