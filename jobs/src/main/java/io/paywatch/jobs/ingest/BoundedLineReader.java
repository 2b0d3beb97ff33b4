package io.paywatch.jobs.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines without decoding them (the JSON parser reads UTF-8 itself and
 * reports invalid bytes). A line longer than the limit is not held in memory: its head is kept,
 * the rest skipped, and its full length reported, so a 1 GB line cannot exhaust the heap.
 */
public final class BoundedLineReader {
    /** One line: its bytes, and its full length when it was cut ({@code 0} otherwise). */
    public static final class Line {
        public final byte[] bytes;
        public final long truncatedFrom;

        Line(byte[] bytes, long truncatedFrom) {
            this.bytes = bytes;
            this.truncatedFrom = truncatedFrom;
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private byte[] acc = new byte[256];

    public BoundedLineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line without its line terminator, or null at the end of the stream. */
    public Line next() throws IOException {
        int len = 0;
        long total = 0;
        boolean sawAny = false;
        while (true) {
            if (pos >= limit) {
                if (eof || !fill()) {
                    if (!sawAny) {
                        return null;
                    }
                    return finish(len, total);
                }
            }
            sawAny = true;
            int start = pos;
            while (pos < limit && buf[pos] != '\n') {
                pos++;
            }
            int chunk = pos - start;
            int keep = (int) Math.min(chunk, Math.max(0, (long) maxLineBytes - len));
            if (keep > 0) {
                if (len + keep > acc.length) {
                    acc = Arrays.copyOf(acc, Math.max(acc.length * 2, len + keep));
                }
                System.arraycopy(buf, start, acc, len, keep);
                len += keep;
            }
            total += chunk;
            if (pos < limit) {
                pos++; // the '\n'
                return finish(len, total);
            }
        }
    }

    private Line finish(int len, long total) {
        if (total > maxLineBytes) {
            return new Line(Arrays.copyOf(acc, len), total);
        }
        if (len > 0 && acc[len - 1] == '\r') {
            len--;
        }
        return new Line(Arrays.copyOf(acc, len), 0);
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    /** Whether a line holds only whitespace (blank lines in files are skipped, not rejected). */
    public static boolean isBlank(byte[] b) {
        for (byte x : b) {
            if (x != ' ' && x != '\t' && x != '\r') {
                return false;
            }
        }
        return true;
    }
}
