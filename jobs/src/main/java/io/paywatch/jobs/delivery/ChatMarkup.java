package io.paywatch.jobs.delivery;

import io.paywatch.model.PlainText;

/**
 * Text PayWatch did not write (identifiers, and the summaries and actions that quote them) made
 * inert for each chat format, in one place per format (contract section 1): no input can mention
 * everyone, plant a link, forge a line or restyle the message. Each first makes control
 * characters visible ({@link PlainText#visible}), so no line is ever split.
 */
final class ChatMarkup {
    private ChatMarkup() {}

    /**
     * Slack's {@code text}: the three characters Slack documents as control characters, as
     * entities. {@code <!channel>}, {@code <@U123>} and {@code <url|label>} need {@code <}; Slack
     * shows the entities as the characters, so the text reads as sent. (Emphasis is switched off
     * for the whole message with {@code "mrkdwn": false}: Slack has no escape for it.)
     */
    static String slack(String s) {
        s = PlainText.visible(s);
        if (s.indexOf('&') < 0 && s.indexOf('<') < 0 && s.indexOf('>') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': b.append("&amp;"); break;
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * DingTalk's and WeCom's Markdown. Angle brackets become their full-width forms (＜ ＞): WeCom's
     * {@code <@userid>} mention and both robots' {@code <font>} tags are read before any Markdown,
     * so no Markdown escape reaches them, and HTML has no place in an alert. The characters that
     * open inline Markdown (emphasis, code, links and images, tables, entities) get CommonMark's
     * backslash escape; an underscore inside a word ({@code bank_transfer}) is not emphasis and is
     * left as it is, so ordinary identifiers read unchanged.
     */
    static String markdown(String s) {
        s = PlainText.visible(s);
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = null;
            switch (c) {
                case '<': replacement = "\uFF1C"; break;
                case '>': replacement = "\uFF1E"; break;
                case '\\': case '`': case '*': case '~': case '[': case ']': case '|':
                    replacement = "\\" + c;
                    break;
                case '_':
                    if (!(i > 0 && i + 1 < s.length() && Character.isLetterOrDigit(s.charAt(i - 1))
                            && Character.isLetterOrDigit(s.charAt(i + 1)))) {
                        replacement = "\\_";
                    }
                    break;
                case '&':
                    // only where an entity could start: "&lt;" would show as "<"
                    if (i + 1 < s.length() && (s.charAt(i + 1) == '#' || Character.isLetter(s.charAt(i + 1)))) {
                        replacement = "\\&";
                    }
                    break;
                default:
            }
            if (replacement != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (replacement != null) {
                    b.append(replacement);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * Plain chat text (Feishu's {@code text} message, DingTalk's notification title): its one
     * markup is a tag such as Feishu's {@code <at user_id="all">}, so angle brackets become their
     * full-width forms (＜ ＞); nothing else is interpreted.
     */
    static String plain(String s) {
        return PlainText.visible(s).replace('<', '\uFF1C').replace('>', '\uFF1E');
    }
}
