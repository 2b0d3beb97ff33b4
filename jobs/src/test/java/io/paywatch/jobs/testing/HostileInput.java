package io.paywatch.jobs.testing;

import io.paywatch.jobs.demo.TrafficGenerator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded generator of hostile records: valid events mutated (truncated, bytes flipped, NUL bytes,
 * invalid UTF-8, duplicate keys, wrong types, huge strings and numbers, deep nesting) and plain
 * garbage. The same seed gives the same records.
 */
public final class HostileInput {
    /**
     * Identifiers as an attacker would write them (contract section 1): chat mentions, links,
     * emphasis, HTML, pre-escaped entities, line-protocol syntax, and control characters.
     */
    public static final java.util.List<String> IDENTIFIERS = java.util.List.of(
            "<!channel> pay now <https://evil.example/x|click>",
            "<!here> <!everyone> <@U024BE7LH> <#C024BE7LR>",
            "*bold* _italic_ ~strike~ `code` **strong** __under__",
            "[click](https://evil.example) ![pixel](https://evil.example/p.png)",
            "<https://evil.example> <mailto:a@evil.example>",
            "<at user_id=\"all\">所有人</at> <@all> <font color=\"warning\">red</font>",
            "<script>alert(1)</script><img src=x onerror=alert(1)>",
            "&lt;!channel&gt; &amp; &#60;@all&#62;",
            "\\*not bold\\* \\[x\\](y) \\<!channel>",
            "| a | b |",
            "m_17_ _m-17 bank_transfer a_b_c __x__",
            "m,17 x=y \"quoted\" back\\slash trailing\\",
            "card\n**bold**\r\n[RESOLVED] forged\u2028line\u2029\u001b[31mred\u0000",
            "m\u202E]DEVLOSER[ \u2066isolate\u2069 zero\u200Bwidth\uFEFF",
            "plain m-017 商户 ünïcödé 100%");

    private final SplittableRandom random;
    private final TrafficGenerator valid;

    public HostileInput(long seed) {
        this.random = new SplittableRandom(seed);
        this.valid = new TrafficGenerator(seed, RealisticHour.START, 50, 50, java.util.List.of(),
                TrafficGenerator.Noise.none());
    }

    /** The next record; {@code maxHuge} bounds the size of the occasional huge record. */
    public byte[] next(int maxHuge) {
        String base = valid.next();
        byte[] b = base.getBytes(StandardCharsets.UTF_8);
        switch (random.nextInt(17)) {
            case 0:
                return Arrays.copyOf(b, random.nextInt(b.length)); // truncated
            case 1: {
                byte[] m = b.clone(); // random bytes flipped
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    m[random.nextInt(m.length)] = (byte) random.nextInt(256);
                }
                return m;
            }
            case 2: {
                byte[] m = b.clone();
                m[random.nextInt(m.length)] = 0; // a NUL byte
                return m;
            }
            case 3: {
                byte[] m = b.clone(); // invalid UTF-8 inside a string
                int at = base.indexOf("\"merchant_id\":\"") + 16;
                m[at] = (byte) 0xC3;
                m[at + 1] = (byte) 0x28;
                return m;
            }
            case 4:
                return base.replace("{\"event_id\"", "{\"kind\":\"payment\",\"event_id\"")
                        .getBytes(StandardCharsets.UTF_8); // a duplicate key (kind)
            case 5:
                return base.replace("\"amount_minor\":", "\"amount_minor\":\"")
                        .replace(",\"currency\"", "\",\"currency\"").getBytes(StandardCharsets.UTF_8);
            case 6:
                return base.replace("}", ",\"message\":\"" + "x".repeat(random.nextInt(100, 5_000)) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
            case 7:
                return base.replace("\"amount_minor\":", "\"amount_minor\":1" + "0".repeat(random.nextInt(20, 400)) + "")
                        .getBytes(StandardCharsets.UTF_8);
            case 8: {
                int depth = random.nextInt(10, 5_000);
                return ("{\"extra\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 9: {
                int size = random.nextInt(1, Math.max(2, maxHuge));
                byte[] huge = new byte[size];
                Arrays.fill(huge, (byte) 'a');
                return huge;
            }
            case 10: {
                byte[] garbage = new byte[random.nextInt(1, 300)];
                for (int i = 0; i < garbage.length; i++) {
                    garbage[i] = (byte) random.nextInt(256);
                }
                return garbage;
            }
            case 11:
                return base.replace("\"event_time\":", "\"event_time\":-").getBytes(StandardCharsets.UTF_8);
            case 12:
                return base.replace("\"kind\":\"", "\"kind\":\"x").getBytes(StandardCharsets.UTF_8);
            case 13:
                return ("[" + base + "]").getBytes(StandardCharsets.UTF_8);
            case 14:
                return base.replace("\"channel\":", "\"channel\":null,\"c\":").getBytes(StandardCharsets.UTF_8);
            case 15: {
                // a control character in an identifier, by a JSON escape (a dead letter)
                String[] fields = {"event_id", "payment_id", "order_id", "merchant_id", "channel"};
                String f = "\"" + fields[random.nextInt(fields.length)] + "\":\"";
                String[] controls = {"\\n", "\\r", "\\u0000", "\\u001b", "\\u2028", "\\u0085"};
                return base.replace(f, f + controls[random.nextInt(controls.length)])
                        .getBytes(StandardCharsets.UTF_8);
            }
            default:
                return b; // a valid one among them
        }
    }

    /** Line-safe for a replay file: no newline inside a record. */
    public static byte[] oneLine(byte[] record) {
        byte[] out = record.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == '\n' || out[i] == '\r') {
                out[i] = ' ';
            }
        }
        return out;
    }
}
