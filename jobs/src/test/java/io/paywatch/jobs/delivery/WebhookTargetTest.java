package io.paywatch.jobs.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WebhookTargetTest {
    private static String shown(String url) {
        return new WebhookTarget(url, WebhookFormat.GENERIC, null, 1_000).displayName();
    }

    @Test
    void theNameInLogsAndTagsCarriesNoRobotToken() {
        assertThat(shown("https://hooks.slack.com/services/T000/B000/XXXXsecret"))
                .isEqualTo("https://hooks.slack.com/services/…");
        assertThat(shown("https://open.feishu.cn/open-apis/bot/v2/hook/0a1b-secret"))
                .isEqualTo("https://open.feishu.cn/open-apis/…");
        assertThat(shown("https://oapi.dingtalk.com/robot/send?access_token=secret"))
                .isEqualTo("https://oapi.dingtalk.com/robot/…");
        assertThat(shown("https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret"))
                .isEqualTo("https://qyapi.weixin.qq.com/cgi-bin/…");
        assertThat(shown("http://127.0.0.1:8090/hook")).isEqualTo("http://127.0.0.1:8090/hook");
        assertThat(shown("http://receiver/paywatch/")).isEqualTo("http://receiver/paywatch/");
        assertThat(shown("http://receiver")).isEqualTo("http://receiver");
    }
}
