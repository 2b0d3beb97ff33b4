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

    /** What each file holds, for the summary; {@code temporaries} (not asked for) are left out. */
    List<String> describe(java.util.Collection<Path> temporaries) {
        List<String> out = new ArrayList<>();
        for (String[] f : new String[][] {{"alerts", alerts}, {"metrics", metrics}, {"dead letters", deadLetters}}) {
            if (f[1] != null && !temporaries.contains(Paths.get(f[1]))) {
                add(out, f[0], f[1]);
            }
        }
        return out;
    }

    private void add(List<String> out, String what, String file) {
        if (file == null) {
            return;
        }
        Long sorted = lineCounts == null ? null : lineCounts.get(file);
        if (sorted != null) {
            out.add(what + ": " + file + " (" + sorted + " lines)");
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
        // each line's sort key is computed once, not at each of the n log n comparisons: a
        // day's replay writes millions of metric points
        if (alerts != null) {
            sort(Paths.get(alerts), line -> new Keyed(0, alertKey(line), line));
        }
        if (metrics != null) {
            sort(Paths.get(metrics), line -> new Keyed(lineProtocolTime(line), "", line));
        }
        if (deadLetters != null) {
            sort(Paths.get(deadLetters), line -> new Keyed(0, sourceKey(line), line));
        }
    }

    /** A line with its sort key: by number, then text, then the line itself. */
    private static final class Keyed implements Comparable<Keyed> {
        final long number;
        final String text;
        final String line;

        Keyed(long number, String text, String line) {
            this.number = number;
            this.text = text;
            this.line = line;
        }

        @Override
        public int compareTo(Keyed o) {
            int c = Long.compare(number, o.number);
            if (c == 0) {
                c = text.compareTo(o.text);
            }
            return c != 0 ? c : line.compareTo(o.line);
        }
    }

    private void sort(Path file, java.util.function.Function<String, Keyed> key) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = lines(Files.readAllBytes(file));
        Keyed[] keyed = new Keyed[lines.size()];
        for (int i = 0; i < keyed.length; i++) {
            keyed[i] = key.apply(lines.get(i));
        }
        java.util.Arrays.sort(keyed);
        Path tmp = file.resolveSibling(file.getFileName() + ".sorting");
        try (var w = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            for (Keyed k : keyed) {
                w.write(k.line.getBytes(StandardCharsets.UTF_8));
                w.write('\n');
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        if (lineCounts == null) {
            lineCounts = new java.util.HashMap<>();
        }
        lineCounts.put(file.toString(), (long) keyed.length);
    }

    /** Line counts of the files just sorted: {@link #describe} need not read them again. */
    private transient java.util.Map<String, Long> lineCounts;

    /**
     * The lines of UTF-8 text as {@link java.io.BufferedReader#readLine} splits them (at
     * {@code \n}, {@code \r} or {@code \r\n}; no empty last line after a final terminator),
     * decoded without a reader: neither byte occurs inside a multi-byte UTF-8 character.
     */
    static List<String> lines(byte[] text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length) {
            byte b = text[i];
            if (b == '\n' || b == '\r') {
                lines.add(new String(text, start, i - start, StandardCharsets.UTF_8));
                i += b == '\r' && i + 1 < text.length && text[i + 1] == '\n' ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < text.length) {
            lines.add(new String(text, start, text.length - start, StandardCharsets.UTF_8));
        }
        return lines;
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
