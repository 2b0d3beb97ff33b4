package io.paywatch.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * The one JSON writer configuration of PayWatch's outputs (alerts, dead letters, webhook
 * bodies): Jackson escapes quotes, backslashes and control characters; this also escapes the
 * line and paragraph separators U+2028/U+2029, which are valid in JSON but end a line for
 * JavaScript and for some line readers. Every record stays one line, whatever it quotes.
 */
public final class JsonLines {
    public static final JsonFactory FACTORY = new JsonFactory().setCharacterEscapes(new LineSafe());

    private JsonLines() {}

    private static final class LineSafe extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private static final int[] ASCII = CharacterEscapes.standardAsciiEscapesForJSON();
        private static final SerializedString LS = new SerializedString("\\u2028");
        private static final SerializedString PS = new SerializedString("\\u2029");

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x2028 ? LS : ch == 0x2029 ? PS : null;
        }
    }
}
