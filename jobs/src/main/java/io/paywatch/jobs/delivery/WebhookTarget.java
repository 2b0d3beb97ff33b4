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

    /** The receiver without query or credentials (chat robots carry tokens there): safe to log. */
    public String displayName() {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")
                + (u.getPath() == null ? "" : u.getPath());
    }
}
