package io.paywatch.jobs.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    List<String> describe(Collection<Path> temporaries) {
        List<String> out = new ArrayList<>();
        for (String[] f : new String[][] {{"alerts", alerts}, {"metrics", metrics}, {"dead letters", deadLetters}}) {
            if (f[1] != null && !temporaries.contains(Paths.get(f[1]))) {
                add(out, f[0], f[1]);
            }
        }
        return out;
    }

    private void add(List<String> out, String what, String file) {
        Long lineCount = lineCounts == null ? null : lineCounts.get(Paths.get(file));
        if (lineCount != null) {
            out.add(what + ": " + file + " (" + lineCount + " lines)");
            return;
        }
        try {
            long lines;
            try (var s = Files.lines(Paths.get(file), StandardCharsets.UTF_8)) {
                lines = s.count();
            }
            out.add(what + ": " + file + " (" + lines + " lines)");
        } catch (IOException | UncheckedIOException e) {
            out.add(what + ": " + file);
        }
    }

    /** Files up to this size are sorted as one array of their bytes (a Java array's limit). */
    static final long LARGEST_SORTED_WHOLE = Integer.MAX_VALUE - 8;

    /** Line counts of the files just sorted: {@link #describe} need not read them again. */
    private transient Map<Path, Long> lineCounts;

    /** Sorts each file into its canonical order. */
    public void sortForReproducibility() throws IOException {
        sortForReproducibility(LARGEST_SORTED_WHOLE);
    }

    /** @param largestSortedWhole larger files are read line by line (tests make it small) */
    void sortForReproducibility(long largestSortedWhole) throws IOException {
        // each line's sort key is computed once, not at each of the n log n comparisons, and the
        // lines stay bytes (decoded only where a key needs it): a day's replay writes millions of
        // metric points
        if (alerts != null) {
            sort(Paths.get(alerts), largestSortedWhole,
                    (bytes, from, to, ascii) -> new Line(bytes, from, to, ascii, 0, alertKey(decode(bytes, from, to))));
        }
        if (metrics != null) {
            sort(Paths.get(metrics), largestSortedWhole,
                    (bytes, from, to, ascii) -> new Line(bytes, from, to, ascii, lineProtocolTime(bytes, from, to), ""));
        }
        if (deadLetters != null) {
            sort(Paths.get(deadLetters), largestSortedWhole,
                    (bytes, from, to, ascii) -> new Line(bytes, from, to, ascii, 0, sourceKey(decode(bytes, from, to))));
        }
    }

    /** A line with its sort key: {@code bytes[from, to)}, UTF-8, without its terminator. */
    private interface KeyedLine {
        Line of(byte[] bytes, int from, int to, boolean ascii);
    }

    /** One line of a file being sorted, and its key: a number, then a text, then the line itself. */
    private static final class Line implements Comparable<Line> {
        final byte[] bytes;
        final int from;
        final int to;
        final boolean ascii;
        final long keyNumber;
        final String keyText;
        /** The line as a string, decoded on its first comparison as one (not ASCII lines). */
        private String decoded;

        Line(byte[] bytes, int from, int to, boolean ascii, long keyNumber, String keyText) {
            this.bytes = bytes;
            this.from = from;
            this.to = to;
            this.ascii = ascii;
            this.keyNumber = keyNumber;
            this.keyText = keyText;
        }

        private String decoded() {
            if (decoded == null) {
                decoded = decode(bytes, from, to);
            }
            return decoded;
        }

        /** By key, then as the lines' strings compare (UTF-16 order; for ASCII, their bytes'). */
        @Override
        public int compareTo(Line o) {
            int c = Long.compare(keyNumber, o.keyNumber);
            if (c == 0) {
                c = keyText.compareTo(o.keyText);
            }
            if (c != 0) {
                return c;
            }
            if (ascii && o.ascii) {
                return Arrays.compareUnsigned(bytes, from, to, o.bytes, o.from, o.to);
            }
            c = decoded().compareTo(o.decoded());
            // malformed UTF-8 decodes to U+FFFD, so two different lines may read alike: their
            // bytes decide, or the order would be the writers' interleaving
            return c != 0 ? c : Arrays.compareUnsigned(bytes, from, to, o.bytes, o.from, o.to);
        }
    }

    private void sort(Path file, long largestSortedWhole, KeyedLine keyed) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<Line> lines = new ArrayList<>();
        if (Files.size(file) <= largestSortedWhole) {
            byte[] bytes = Files.readAllBytes(file);
            splitLines(bytes, (from, to, ascii) -> lines.add(keyed.of(bytes, from, to, ascii)));
        } else {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    byte[] bytes = l.getBytes(StandardCharsets.UTF_8);
                    boolean ascii = bytes.length == l.length();
                    lines.add(keyed.of(bytes, 0, bytes.length, ascii));
                }
            }
        }
        Line[] sorted = lines.toArray(new Line[0]);
        Arrays.sort(sorted);
        Path tmp = file.resolveSibling(file.getFileName() + ".sorting");
        try (OutputStream w = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            for (Line l : sorted) {
                w.write(l.bytes, l.from, l.to - l.from);
                w.write('\n'); // not the platform's separator: the same bytes on every machine
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (lineCounts == null) {
            lineCounts = new HashMap<>();
        }
        lineCounts.put(file, (long) sorted.length);
    }

    private static String decode(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    private interface LineConsumer {
        void line(int from, int to, boolean ascii);
    }

    /**
     * Splits UTF-8 text into lines as {@link BufferedReader#readLine} does (at {@code \n},
     * {@code \r} or {@code \r\n}; no empty last line after a final terminator), without decoding
     * it: neither byte occurs inside a multi-byte UTF-8 character.
     */
    private static void splitLines(byte[] bytes, LineConsumer out) {
        int start = 0;
        int i = 0;
        boolean ascii = true;
        while (i < bytes.length) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                out.line(start, i, ascii);
                i += b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n' ? 2 : 1;
                start = i;
                ascii = true;
            } else {
                ascii &= b >= 0;
                i++;
            }
        }
        if (start < bytes.length) {
            out.line(start, bytes.length, ascii);
        }
    }

    /** The lines of UTF-8 text, split as {@link #sortForReproducibility} splits a file. */
    static List<String> lines(byte[] bytes) {
        List<String> lines = new ArrayList<>();
        splitLines(bytes, (from, to, ascii) -> lines.add(decode(bytes, from, to)));
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
    static long lineProtocolTime(byte[] bytes, int from, int to) {
        int sp = to - 1;
        while (sp >= from && bytes[sp] != ' ') {
            sp--;
        }
        return lineProtocolTime(decode(bytes, sp + 1, to));
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
