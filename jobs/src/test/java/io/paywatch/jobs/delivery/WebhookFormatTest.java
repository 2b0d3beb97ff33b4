package io.paywatch.jobs.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.AlertJson;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Alert alert(String status) {
        return alert(status, "channel", "wallet");
    }

    /** A failure_rate alert of one scope (channel or merchant_id). */
    static Alert alert(String status, String scopeKey, String key) {
        Alert a = new Alert();
        a.rule = "failure_rate";
        a.status = status;
        a.severity = "critical";
        a.scope.put(scopeKey, key);
        a.startsAt = 1_795_428_720_000L;
        a.transitionAt = a.startsAt;
        if (status.equals(Alert.RESOLVED)) {
            a.endsAt = a.startsAt + 600_000;
            a.transitionAt = a.endsAt;
        }
        a.alertId = AlertIds.of(a.rule, a.scope, a.startsAt);
        a.value = 0.62;
        a.threshold = 0.5;
        a.summary = "Critical failure rate 62.0% for channel wallet";
        a.recommendedAction = "Fail over to a backup channel.";
        a.evidenceByCode.put("203", 40L);
        a.evidenceEventIds.add("e-1");
        return a;
    }

    @Test
    void genericIsTheContractsAlertObject() {
        Alert a = alert(Alert.FIRING);
        assertThat(WebhookFormat.GENERIC.body(a)).isEqualTo(AlertJson.toJson(a));
    }

    @Test
    void alertmanagerPayloadHasTheDocumentedVersion4Fields() throws Exception {
        JsonNode p = JSON.readTree(WebhookFormat.ALERTMANAGER.body(alert(Alert.RESOLVED)));
        // https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
        assertThat(p.fieldNames()).toIterable().containsExactlyInAnyOrder("version", "groupKey",
                "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
                "commonAnnotations", "externalURL", "alerts");
        assertThat(p.path("version").asText()).isEqualTo("4");
        assertThat(p.path("status").asText()).isEqualTo("resolved");
        JsonNode a = p.path("alerts").get(0);
        assertThat(a.fieldNames()).toIterable().containsExactlyInAnyOrder("status", "labels",
                "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint");
        assertThat(a.path("labels").path("alertname").asText()).isEqualTo("failure_rate");
        assertThat(a.path("labels").path("severity").asText()).isEqualTo("critical");
        assertThat(a.path("labels").path("channel").asText()).isEqualTo("wallet");
        assertThat(a.path("annotations").path("summary").asText()).startsWith("Critical failure rate");
        assertThat(a.path("startsAt").asText()).isEqualTo("2026-11-23T10:12:00Z");
        assertThat(a.path("endsAt").asText()).isEqualTo("2026-11-23T10:22:00Z");
        JsonNode firing = JSON.readTree(WebhookFormat.ALERTMANAGER.body(alert(Alert.FIRING)));
        assertThat(firing.path("alerts").get(0).path("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    }

    @Test
    void chatRobotsGetTheirDocumentedMessageShapes() throws Exception {
        Alert a = alert(Alert.FIRING);
        // Slack incoming webhook: {"text": …}
        JsonNode slack = JSON.readTree(WebhookFormat.SLACK.body(a));
        assertThat(slack.path("text").asText()).contains("FIRING").contains("wallet").contains("Fail over");
        // DingTalk robot: {"msgtype":"markdown","markdown":{"title":…,"text":…}}
        JsonNode ding = JSON.readTree(WebhookFormat.DINGTALK.body(a));
        assertThat(ding.path("msgtype").asText()).isEqualTo("markdown");
        assertThat(ding.path("markdown").path("title").asText()).contains("failure_rate");
        assertThat(ding.path("markdown").path("text").asText()).contains("**Action:**");
        // Feishu/Lark custom bot: {"msg_type":"text","content":{"text":…}}
        JsonNode feishu = JSON.readTree(WebhookFormat.FEISHU.body(a));
        assertThat(feishu.path("msg_type").asText()).isEqualTo("text");
        assertThat(feishu.path("content").path("text").asText()).contains(a.alertId);
        // WeCom group robot: {"msgtype":"markdown","markdown":{"content":…}}
        JsonNode wecom = JSON.readTree(WebhookFormat.WECOM.body(a));
        assertThat(wecom.path("msgtype").asText()).isEqualTo("markdown");
        assertThat(wecom.path("markdown").path("content").asText()).contains("Critical failure rate");
    }

    @Test
    void signaturesAreHmacSha256OfTheBody() {
        // RFC 4231, test case 2
        assertThat(Signatures.sign("Jefe", "what do ya want for nothing?")).isEqualTo(
                "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void retriesServerErrorsAndThrottlingButNotClientErrors() {
        for (int s : List.of(500, 502, 503, 504, 408, 429)) {
            assertThat(RetryPolicy.retriable(s)).as("%d", s).isTrue();
        }
        for (int s : List.of(400, 401, 403, 404, 410, 422)) {
            assertThat(RetryPolicy.retriable(s)).as("%d", s).isFalse();
        }
        RetryPolicy p = new RetryPolicy(6, 500, 30_000);
        assertThat(p.delayMs(1, Optional.of("7"))).isEqualTo(7_000);
        assertThat(p.delayMs(1, Optional.of("120"))).isEqualTo(30_000); // capped
        for (int attempt = 1; attempt < 6; attempt++) {
            long d = p.delayMs(attempt, Optional.empty());
            long exp = Math.min(30_000, 500L << (attempt - 1));
            assertThat(d).isBetween(exp / 2, exp); // exponential, with jitter
        }
        assertThat(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isZero();
        assertThat(RetryPolicy.parseRetryAfter("soon")).isEqualTo(-1);
    }

    @Test
    void aRetryPeriodBoundsTheRetriesByTimeNotCount() {
        RetryPolicy attempts = new RetryPolicy(6, 500, 30_000);
        assertThat(attempts.again(5, 3_600_000)).isTrue();
        assertThat(attempts.again(6, 0)).isFalse();
        assertThat(attempts.describe()).isEqualTo("up to 6 attempts");

        RetryPolicy period = RetryPolicy.retryFor(600_000, 500, 30_000);
        assertThat(period.again(1_000, 599_999)).isTrue();
        assertThat(period.again(2, 600_000)).isFalse();
        assertThat(period.describe()).isEqualTo("for up to 10m");
        // the async operator waits for the last attempt that starts within the period
        assertThat(period.budgetMs(10_000)).isEqualTo(600_000 + 30_000 + 10_000);
    }

    @Test
    void theIdempotencyKeyNamesTheTransition() {
        DeliveryRequest r = new DeliveryRequest();
        r.alertId = "failure_rate-abc";
        r.status = "firing";
        r.transitionAt = 42;
        assertThat(r.idempotencyKey()).isEqualTo("failure_rate-abc:firing:42");
    }

    /** The version 2 rules' alerts, as their builders make them, in every format (issue item 8). */
    @Test
    void theAdaptiveRulesAlertsGoOutInEveryFormatWithTheirEvidenceEscaped() throws Exception {
        io.paywatch.jobs.rates.FailureCounts empty = new io.paywatch.jobs.rates.FailureCounts(1_795_428_720_000L);
        Alert drop = io.paywatch.jobs.alerting.AdaptiveAlerts.dropFiring("channel", "bnpl", 1_795_428_720_000L,
                1_795_428_720_000L, "critical", empty, 360.0, 72.0,
                io.paywatch.model.TrafficDropSettings.defaults(), io.paywatch.model.ReturnCodeCatalog.defaultCatalog());
        // an alternative channel named by events, with chat syntax in it
        String hostile = "<!channel> *all*";
        io.paywatch.jobs.alerting.FailoverAdvice.advise(drop,
                List.of(new io.paywatch.jobs.alerting.ChannelWindow(hostile, 1_795_428_720_000L, 300_000, 500, 5)),
                java.util.Set.of());
        assertThat(drop.recommendedAction).endsWith("Best alternative: switch to " + hostile
                + ": 99.0 % of 500 payments succeeded over 5m.");

        JsonNode generic = JSON.readTree(WebhookFormat.GENERIC.body(drop));
        assertThat(generic.path("rule").asText()).isEqualTo("traffic_drop");
        assertThat(generic.path("value").asDouble()).isZero();
        assertThat(generic.path("evidence").path("baseline_volume").asDouble()).isEqualTo(360.0);
        assertThat(generic.path("evidence").path("alternatives").get(0).path("channel").asText()).isEqualTo(hostile);
        assertThat(generic.path("evidence").path("alternatives").get(0).path("success_rate").asDouble()).isEqualTo(0.99);

        JsonNode am = JSON.readTree(WebhookFormat.ALERTMANAGER.body(drop)).path("alerts").get(0);
        assertThat(am.path("labels").path("alertname").asText()).isEqualTo("traffic_drop");
        assertThat(am.path("labels").path("channel").asText()).isEqualTo("bnpl");
        assertThat(am.path("annotations").path("summary").asText()).startsWith("channel bnpl: no payments over 5m");

        String slack = JSON.readTree(WebhookFormat.SLACK.body(drop)).path("text").asText();
        assertThat(slack).contains("traffic_drop", "no payments over 5m", "&lt;!channel&gt;").doesNotContain("<!channel>");
        for (WebhookFormat markdown : List.of(WebhookFormat.DINGTALK, WebhookFormat.WECOM)) {
            String body = WebhookFormat.valueOf(markdown.name()).body(drop);
            assertThat(body).as(markdown.wireName()).doesNotContain(" *all*").contains("Best alternative");
        }

        Alert anomaly = io.paywatch.jobs.alerting.AdaptiveAlerts.anomalyFiring("merchant", "m-17", 1_795_428_720_000L,
                1_795_428_720_000L, 300_000, failing(412, 51), 0.011, 0.061,
                io.paywatch.model.AnomalySettings.defaults(), List.of("e-1"), io.paywatch.model.ReturnCodeCatalog.defaultCatalog());
        JsonNode a = JSON.readTree(WebhookFormat.GENERIC.body(anomaly));
        assertThat(a.path("summary").asText())
                .isEqualTo("merchant m-17: 12.4 % of 412 payments failed over 5m; its usual rate is 1.1 % (last hour);"
                        + " mostly 202 (transaction timed out or not confirmed)");
        assertThat(a.path("measure").asText()).isEqualTo("failure_rate");
        assertThat(a.path("evidence").path("baseline").asDouble()).isEqualTo(0.011);
        assertThat(JSON.readTree(WebhookFormat.FEISHU.body(anomaly)).path("content").path("text").asText())
                .contains("its usual rate is 1.1 %");
    }

    /** A window of {@code total} payments, {@code failed} of them timed out. */
    private static io.paywatch.jobs.rates.FailureCounts failing(int total, int failed) {
        io.paywatch.jobs.rates.FailureCounts c = new io.paywatch.jobs.rates.FailureCounts(1_795_428_720_000L);
        for (int i = 0; i < total; i++) {
            c.add(i < failed ? io.paywatch.jobs.testing.Events.failed(1_795_428_700_000L + i, "m-17", "card", "202")
                    : io.paywatch.jobs.testing.Events.ok(1_795_428_700_000L + i, "m-17", "card"));
        }
        return c;
    }
}
