package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {
    private static BoundedLineReader reader(String text, int max) {
        return new BoundedLineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
    }

    @Test
    void splitsLinesAndStripsCarriageReturns() throws Exception {
        BoundedLineReader r = reader("a\r\nbb\n\nccc", 100);
        assertThat(new String(r.next().bytes, StandardCharsets.UTF_8)).isEqualTo("a");
        assertThat(new String(r.next().bytes, StandardCharsets.UTF_8)).isEqualTo("bb");
        assertThat(r.next().bytes).isEmpty();
        assertThat(new String(r.next().bytes, StandardCharsets.UTF_8)).isEqualTo("ccc");
        assertThat(r.next()).isNull();
    }

    @Test
    void aLineLongerThanTheLimitIsCutAndMeasuredNotHeld() throws Exception {
        String longLine = "x".repeat(200_000);
        BoundedLineReader r = reader(longLine + "\nok\n", 1_000);
        BoundedLineReader.Line cut = r.next();
        assertThat(cut.bytes).hasSize(1_000);
        assertThat(cut.truncatedFrom).isEqualTo(200_000);
        BoundedLineReader.Line next = r.next();
        assertThat(new String(next.bytes, StandardCharsets.UTF_8)).isEqualTo("ok");
        assertThat(next.truncatedFrom).isZero();
        assertThat(r.next()).isNull();
    }
}
