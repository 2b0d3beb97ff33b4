package io.paywatch.jobs.delivery;

import java.io.Serializable;
import java.net.URI;

/** One receiver: where, in which format, signed with which secret (by env var name), how patient. */
public final class WebhookTarget implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String url;
    public final WebhookFormat format;
    /** Name of the environment variable holding the HMAC secret, or null: unsigned. */
    public final String secretEnv;
    public final long timeoutMs;

    public WebhookTarget(String url, WebhookFormat format, String secretEnv, long timeoutMs) {
        this.url = url;
        this.format = format;
        this.secretEnv = secretEnv;
        this.timeoutMs = timeoutMs;
    }

    /**
     * The receiver without query, credentials or the path past its first segment: chat robots
     * carry their tokens there (DingTalk's {@code ?access_token=}, Slack's
     * {@code /services/T…/B…/<token>}, Feishu's {@code /open-apis/bot/v2/hook/<token>}). Safe to
     * log and to write as a tag.
     */
    public String displayName() {
        URI u = URI.create(url);
        String path = u.getPath() == null ? "" : u.getPath();
        int second = path.indexOf('/', 1);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
                + (second < 0 || second == path.length() - 1 ? path : path.substring(0, second + 1) + "…");
    }
}
