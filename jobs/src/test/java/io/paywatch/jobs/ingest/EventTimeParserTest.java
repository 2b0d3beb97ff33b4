package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventTimeParserTest {
    @Test
    void parsesRfc3339WithOffsets() {
        assertThat(EventTimeParser.parseRfc3339("2026-11-23T10:00:00.123Z")).isEqualTo(1_795_428_000_123L);
        assertThat(EventTimeParser.parseRfc3339("2026-11-23T18:00:03.500+08:00")).isEqualTo(1_795_428_003_500L);
        assertThat(EventTimeParser.parseRfc3339("2026-11-23T10:00:00Z")).isEqualTo(1_795_428_000_000L);
        assertThat(EventTimeParser.parseRfc3339("2026-11-23T05:00:00.5-05:00")).isEqualTo(1_795_428_000_500L);
        assertThat(EventTimeParser.parseRfc3339("2026-11-23T10:00:00.123456789Z")).isEqualTo(1_795_428_000_123L);
        assertThat(EventTimeParser.parseRfc3339("2026-11-23t10:00:00z")).isEqualTo(1_795_428_000_000L);
    }

    @Test
    void rejectsTimesWithoutOffsetOrOutOfRange() {
        for (String bad : new String[] {"2026-11-23T10:00:00", "2026-13-01T00:00:00Z",
                "2026-02-29T00:00:00Z", "2026-11-23T24:00:00Z", "yesterday", "", "2026-11-23"}) {
            assertThat(EventTimeParser.parseRfc3339(bad)).as(bad).isEqualTo(Long.MIN_VALUE);
        }
        assertThat(EventTimeParser.parseRfc3339("2028-02-29T00:00:00Z")).isNotEqualTo(Long.MIN_VALUE);
    }

    @Test
    void agreesWithJavaTimeOnRandomInstants() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long ms = r.nextLong(0, 4_102_444_800_000L);
            int offsetMin = (r.nextInt(-14 * 4, 14 * 4 + 1)) * 15;
            OffsetDateTime t = java.time.Instant.ofEpochMilli(ms)
                    .atOffset(java.time.ZoneOffset.ofTotalSeconds(offsetMin * 60));
            String text = t.toString();
            assertThat(EventTimeParser.parseRfc3339(text)).as(text).isEqualTo(ms);
        }
    }
}
