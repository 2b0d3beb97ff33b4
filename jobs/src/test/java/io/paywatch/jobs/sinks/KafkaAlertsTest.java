package io.paywatch.jobs.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.AlertJson;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class KafkaAlertsTest {

    @Test
    void aRecordIsTheAlertKeyedByItsIdAndStampedWhenPublishedNotWithItsEventTime() {
        Alert a = new Alert();
        a.rule = "timeout_burst";
        a.status = Alert.FIRING;
        a.severity = "warning";
        a.scope.put("merchant_id", "m-033");
        a.startsAt = 1_795_428_498_000L; // 2026-11-23T10:08:18Z
        a.transitionAt = a.startsAt;
        a.alertId = AlertIds.of(a.rule, a.scope, a.startsAt);
        // the sink hands over the alert's event time; a week-old replay must not be stamped with it
        ProducerRecord<byte[], byte[]> r = new KafkaAlerts.AlertRecords("alerts")
                .serialize(a, null, a.transitionAt);

        assertThat(r.topic()).isEqualTo("alerts");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(a.alertId);
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(AlertJson.toJson(a));
        assertThat(r.timestamp()).as("the producer stamps it on send").isNull();
        assertThat(r.partition()).as("partitioned by the key").isNull();
    }
}
