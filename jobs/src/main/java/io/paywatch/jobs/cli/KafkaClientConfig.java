package io.paywatch.jobs.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka client settings from {@code --kafka-config FILE} (a properties file: TLS, SASL, client
 * ids…), passed unchanged to every Kafka client PayWatch makes (source, alerts sink, admin,
 * producer). {@code ${VAR}} in a value is replaced by the environment variable VAR, so that
 * passwords live in the environment, not in the file or on the command line. Values are never
 * printed.
 */
final class KafkaClientConfig {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private KafkaClientConfig() {}

    static Properties load(String file) {
        return load(file, System::getenv);
    }

    static Properties load(String file, Function<String, String> env) {
        Properties p = new Properties();
        if (file == null) {
            return p;
        }
        Path path = Paths.get(file);
        if (!Files.isRegularFile(path)) {
            throw new UsageException("--kafka-config: file " + file + " does not exist");
        }
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UsageException("--kafka-config: cannot read " + file + ": " + e.getMessage());
        }
        for (Map.Entry<Object, Object> e : p.entrySet()) {
            Matcher m = ENV.matcher(String.valueOf(e.getValue()));
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String v = env.apply(m.group(1));
                if (v == null) {
                    throw new UsageException("--kafka-config: " + e.getKey() + " refers to ${" + m.group(1)
                            + "}, which is not set in the environment");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(v));
            }
            m.appendTail(out);
            e.setValue(out.toString());
        }
        p.remove("bootstrap.servers"); // given by --bootstrap-servers
        return p;
    }
}
