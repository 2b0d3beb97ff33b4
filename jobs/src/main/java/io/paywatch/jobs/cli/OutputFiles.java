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
        // each line's sort key is computed once, not at each of the n log n comparisons, and the
        // lines stay bytes of the file (decoded only where a key needs it): a day's replay
        // writes millions of metric points
        if (alerts != null) {
            sort(Paths.get(alerts), (text, from, to) -> new SortKey(0, alertKey(decode(text, from, to))));
        }
        if (metrics != null) {
            sort(Paths.get(metrics), (text, from, to) -> new SortKey(lineProtocolTime(text, from, to), ""));
        }
        if (deadLetters != null) {
            sort(Paths.get(deadLetters), (text, from, to) -> new SortKey(0, sourceKey(decode(text, from, to))));
        }
    }

    /** What orders a line before its text does: a number, then a text. */
    private static final class SortKey {
        final long number;
        final String text;

        SortKey(long number, String text) {
            this.number = number;
            this.text = text;
        }
    }

    private interface KeyOf {
        SortKey of(byte[] text, int from, int to);
    }

    /** One line of a file being sorted: where it lies in the file's bytes, and its key. */
    private static final class Line implements Comparable<Line> {
        final byte[] text;
        final int from;
        final int to;
        final boolean ascii;
        final SortKey key;

        Line(byte[] text, int from, int to, boolean ascii, SortKey key) {
            this.text = text;
            this.from = from;
            this.to = to;
            this.ascii = ascii;
            this.key = key;
        }

        /** By key, then as the lines' strings compare (UTF-16 order; for ASCII, their bytes'). */
        @Override
        public int compareTo(Line o) {
            int c = Long.compare(key.number, o.key.number);
            if (c == 0) {
                c = key.text.compareTo(o.key.text);
            }
            if (c != 0) {
                return c;
            }
            return ascii && o.ascii
                    ? java.util.Arrays.compareUnsigned(text, from, to, o.text, o.from, o.to)
                    : decode(text, from, to).compareTo(decode(o.text, o.from, o.to));
        }
    }

    private void sort(Path file, KeyOf keyOf) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] text = Files.readAllBytes(file);
        List<Line> lines = new ArrayList<>();
        splitLines(text, (from, to, ascii) -> lines.add(new Line(text, from, to, ascii, keyOf.of(text, from, to))));
        Line[] sorted = lines.toArray(new Line[0]);
        java.util.Arrays.sort(sorted);
        Path tmp = file.resolveSibling(file.getFileName() + ".sorting");
        try (var w = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            for (Line l : sorted) {
                w.write(text, l.from, l.to - l.from);
                w.write('\n');
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        if (lineCounts == null) {
            lineCounts = new java.util.HashMap<>();
        }
        lineCounts.put(file.toString(), (long) sorted.length);
    }

    /** Line counts of the files just sorted: {@link #describe} need not read them again. */
    private transient java.util.Map<String, Long> lineCounts;

    private static String decode(byte[] text, int from, int to) {
        return new String(text, from, to - from, StandardCharsets.UTF_8);
    }

    private interface LineConsumer {
        void line(int from, int to, boolean ascii);
    }

    /**
     * Splits UTF-8 text into lines as {@link java.io.BufferedReader#readLine} does (at
     * {@code \n}, {@code \r} or {@code \r\n}; no empty last line after a final terminator),
     * without decoding it: neither byte occurs inside a multi-byte UTF-8 character.
     */
    private static void splitLines(byte[] text, LineConsumer out) {
        int start = 0;
        int i = 0;
        boolean ascii = true;
        while (i < text.length) {
            byte b = text[i];
            if (b == '\n' || b == '\r') {
                out.line(start, i, ascii);
                i += b == '\r' && i + 1 < text.length && text[i + 1] == '\n' ? 2 : 1;
                start = i;
                ascii = true;
            } else {
                ascii &= b >= 0;
                i++;
            }
        }
        if (start < text.length) {
            out.line(start, text.length, ascii);
        }
    }

    /** The lines of UTF-8 text, split as {@link #sortForReproducibility} splits a file. */
    static List<String> lines(byte[] text) {
        List<String> lines = new ArrayList<>();
        splitLines(text, (from, to, ascii) -> lines.add(decode(text, from, to)));
        return lines;
    }

    /** Alerts by the event time of the transition, then id, firing before resolved. */
    static String alertKey(String json) {
        String status = field(json, "status");
        String time = field(json, "transition_at");
        return (time == null ? "" : time) + "|" + field(json, "alert_id") + "|"
                + ("firing".equals(status) ? "0" : "1") + "|" + json;
    }

    /** {@link #lineProtocolTime(String)} of a line in UTF-8 bytes, decoding only its last field. */
    static long lineProtocolTime(byte[] text, int from, int to) {
        int sp = to - 1;
        while (sp >= from && text[sp] != ' ') {
            sp--;
        }
        return lineProtocolTime(decode(text, sp + 1, to));
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
