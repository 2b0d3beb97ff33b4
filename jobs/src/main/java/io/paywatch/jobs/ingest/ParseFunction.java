package io.paywatch.jobs.ingest;

import io.paywatch.model.ReturnCodeCatalog;
import org.apache.flink.api.common.functions.MapFunction;

/** Flink shell around {@link EventParser}: raw record in, event or dead letter out. */
public class ParseFunction implements MapFunction<RawRecord, ParsedRecord> {
    private static final long serialVersionUID = 1L;

    private final EventProjection projection;
    private transient EventParser parser;

    /** Valid events keep every field. */
    public ParseFunction() {
        this(EventProjection.ALL);
    }

    /** Valid events keep the fields of {@code projection} only. */
    public ParseFunction(EventProjection projection) {
        this.projection = projection;
    }

    @Override
    public ParsedRecord map(RawRecord raw) {
        if (parser == null) {
            parser = new EventParser(ReturnCodeCatalog.defaultCatalog(), projection);
        }
        ParsedRecord parsed = raw.truncatedFrom > 0
                ? parser.tooLarge(raw, raw.truncatedFrom)
                : raw.bytes != null
                ? parser.parse(raw.bytes, raw.source, raw.partition)
                : parser.parse(raw.text, raw.source, raw.partition);
        parsed.rawText = raw.text;
        parsed.rawBytes = raw.bytes;
        parsed.source = raw.source;
        return parsed;
    }
}
