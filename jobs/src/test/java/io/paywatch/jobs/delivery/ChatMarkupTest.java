package io.paywatch.jobs.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.testing.HostileInput;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.PlainText;
import java.util.List;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile identifiers per chat format (contract section 1): whatever a merchant id or a channel
 * holds, no chat message mentions anyone, links anywhere, changes style or gains a line. The
 * Markdown formats are proven with a real CommonMark renderer: the escaped text renders as text
 * only, and reads as the identifier did.
 */
class ChatMarkupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Parser MARKDOWN = Parser.builder().build();
    private static final HtmlRenderer HTML = HtmlRenderer.builder().build();

    static List<String> hostile() {
        return HostileInput.IDENTIFIERS;
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void slackShowsTheTextAndActsOnNoneOfIt(String s) {
        String escaped = ChatMarkup.slack(s);
        assertThat(escaped).doesNotContain("<", ">");
        assertThat(escaped.chars().noneMatch(c -> PlainText.isInvisibleFormat((char) c))).isTrue();
        assertThat(PlainText.firstForbidden(escaped)).isEqualTo(-1);
        // Slack turns the three entities back into the characters: the message reads as sent
        assertThat(escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
                .isEqualTo(PlainText.visible(s));
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void markdownRendersAsTextOnly(String s) {
        String escaped = ChatMarkup.markdown(s);
        assertThat(PlainText.firstForbidden(escaped)).isEqualTo(-1);
        assertThat(escaped.chars().noneMatch(c -> PlainText.isInvisibleFormat((char) c))).isTrue();
        // the robots' own tags (mentions, colours) are read before Markdown: no '<' reaches them
        assertThat(escaped).doesNotContain("<", ">");
        String html = HTML.render(MARKDOWN.parse(escaped)).trim();
        // one paragraph of text: no link, image, emphasis, code, HTML or line break
        assertThat(html).startsWith("<p>").endsWith("</p>");
        String inner = html.substring(3, html.length() - 4);
        assertThat(inner).doesNotContain("<");
        String expected = PlainText.visible(s).replace('<', '\uFF1C').replace('>', '\uFF1E');
        assertThat(unescapeHtml(inner)).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void feishuTextHasNoTag(String s) {
        String escaped = ChatMarkup.plain(s);
        assertThat(escaped).doesNotContain("<", ">");
        assertThat(escaped.chars().noneMatch(c -> PlainText.isInvisibleFormat((char) c))).isTrue();
        assertThat(PlainText.firstForbidden(escaped)).isEqualTo(-1);
        assertThat(escaped).isEqualTo(PlainText.visible(s).replace('<', '\uFF1C').replace('>', '\uFF1E'));
    }

    /** The whole message, per format: a hostile merchant and channel in scope, summary and action. */
    @ParameterizedTest
    @MethodSource("hostile")
    void everyChatMessageEscapesTheIdentifiersItQuotes(String s) throws Exception {
        Alert a = new Alert();
        a.rule = "failure_rate";
        a.status = Alert.FIRING;
        a.severity = "critical";
        a.scope.put("merchant_id", s);
        a.startsAt = 1_795_428_720_000L;
        a.transitionAt = a.startsAt;
        a.alertId = AlertIds.of(a.rule, a.scope, a.startsAt);
        a.summary = "Critical failure rate 62.0% for merchant " + s + " over 5m";
        a.recommendedAction = "Move " + s + " to a backup channel.";
        String slack = JSON.readTree(WebhookFormat.SLACK.body(a)).path("text").asText();
        assertThat(slack).doesNotContain("<", ">").contains(ChatMarkup.slack(s));
        assertThat(JSON.readTree(WebhookFormat.SLACK.body(a)).path("mrkdwn").asBoolean(true)).isFalse();
        JsonNode ding = JSON.readTree(WebhookFormat.DINGTALK.body(a)).path("markdown");
        JsonNode wecom = JSON.readTree(WebhookFormat.WECOM.body(a)).path("markdown");
        for (String md : List.of(ding.path("text").asText(), wecom.path("content").asText())) {
            assertThat(md).doesNotContain("<", ">").contains(ChatMarkup.markdown(s));
            String html = HTML.render(MARKDOWN.parse(md));
            // PayWatch's own Markdown only: a heading and the bold "Action:"
            assertThat(html.replaceAll("</?(h3|p|strong)>", "")).doesNotContain("<");
            assertThat(html).containsOnlyOnce("<strong>");
        }
        assertThat(ding.path("title").asText()).doesNotContain("<", ">");
        String feishu = JSON.readTree(WebhookFormat.FEISHU.body(a)).path("content").path("text").asText();
        assertThat(feishu).doesNotContain("<", ">").contains(ChatMarkup.plain(s));
        // each message keeps its own lines and gains none
        assertThat(slack.lines()).hasSize(4);
        assertThat(feishu.lines()).hasSize(4);
        // the JSON formats carry the identifier exactly (JSON escapes it)
        assertThat(JSON.readTree(WebhookFormat.GENERIC.body(a)).path("scope").path("merchant_id").asText())
                .isEqualTo(s);
        assertThat(JSON.readTree(WebhookFormat.ALERTMANAGER.body(a)).path("alerts").get(0).path("labels")
                .path("merchant_id").asText()).isEqualTo(s);
    }

    private static String unescapeHtml(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }
}
