package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as users meet it: help everywhere, the version, suggestions, completion. */
class CommandLineTest {
    private static final List<String> COMMANDS = List.of("demo", "replay", "run", "generate", "produce",
            "control send", "control show");

    @TempDir
    Path dir;

    /** What a run of {@code ./paywatch ARGS} prints and returns. */
    private record Result(int code, String out, String err) {}

    private static Result paywatch(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandHasHelpListingEachOfItsFlags() {
        for (String command : COMMANDS) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            Result r = paywatch(args.toArray(String[]::new));
            assertThat(r.code()).as(command).isZero();
            assertThat(r.err()).as(command).isEmpty();
            assertThat(r.out()).as(command).startsWith("Usage: paywatch " + command + " [OPTIONS]");
            for (String flag : CommandLines.flagNames(command)) {
                assertThat(r.out()).as(command).contains("--" + flag);
            }
            // help COMMAND says the same
            if (!command.contains(" ")) {
                assertThat(paywatch("help", command).out()).as(command).isEqualTo(r.out());
            }
        }
        assertThat(paywatch("replay", "--help").out()).contains("--input=PATH", "--kafka-config=FILE",
                "${VAR}");
    }

    @Test
    void theOverviewListsTheCommandsAndAMissingCommandIsAUsageError() {
        Result help = paywatch("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("usage: ./paywatch COMMAND").contains("demo", "replay", "run",
                "generate", "produce", "control", "completion");
        Result none = paywatch();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.out()).isEqualTo(help.out());
        Result control = paywatch("control");
        assertThat(control.code()).isEqualTo(2);
        assertThat(control.out()).contains("send", "show");
    }

    @Test
    void theVersionNamesPayWatchFlinkAndJava() {
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"replay", "--version"})) {
            Result r = paywatch(args);
            assertThat(r.code()).isZero();
            assertThat(r.out()).matches("paywatch \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Flink 2\\.1\\.\\d+, Java 17[^)]*\\)\\R");
        }
    }

    @Test
    void aMistypedFlagOrCommandGetsOneLineWithTheClosestName() {
        Result flag = paywatch("replay", "--alert-out", "a.jsonl");
        assertThat(flag.code()).isEqualTo(2);
        assertThat(flag.err()).isEqualTo(
                "paywatch: replay: unknown flag --alert-out; did you mean --alerts-out? (see ./paywatch help)\n");
        assertThat(paywatch("run", "--bootstrap-server=k:9092").err()).isEqualTo(
                "paywatch: run: unknown flag --bootstrap-server; did you mean --bootstrap-servers? (see ./paywatch help)\n");
        assertThat(paywatch("control", "send", "--controltopic", "t").err())
                .startsWith("paywatch: control send: unknown flag --controltopic; did you mean --control-topic?");
        Result command = paywatch("repaly", "--input", "x");
        assertThat(command.code()).isEqualTo(2);
        assertThat(command.err()).startsWith("paywatch: unknown command 'repaly'; did you mean replay? (commands: demo, replay,");
        assertThat(paywatch("control", "shwo").err()).startsWith("paywatch: unknown command 'control shwo'; did you mean show?");
    }

    @Test
    void onlyATypoGetsASuggestionNotAnotherWord() {
        assertThat(paywatch("replay", "--bogus").err()).isEqualTo("paywatch: replay: unknown flag --bogus (see ./paywatch help)\n");
        assertThat(CommandLines.closest("--rule", List.of("--rules", "--run-id"))).isEqualTo("--rules");
        assertThat(CommandLines.closest("--colour", List.of("--rules", "--run-id"))).isNull();
        assertThat(CommandLines.editDistance("repaly", "replay")).isEqualTo(2);
        assertThat(CommandLines.editDistance("", "abc")).isEqualTo(3);
    }

    @Test
    void flagErrorsAreOneLineNamingTheFlag() {
        assertThat(paywatch("run", "--rules").err()).isEqualTo("paywatch: run: flag --rules needs a value\n");
        assertThat(paywatch("run", "--rules", "--quiet").err()).isEqualTo("paywatch: run: flag --rules needs a value\n");
        assertThat(paywatch("replay", "--rules", "a", "--rules", "b").err())
                .isEqualTo("paywatch: replay: flag --rules given more than once\n");
        assertThat(paywatch("replay", "stray").err()).isEqualTo("paywatch: replay: unexpected argument 'stray'\n");
        assertThat(paywatch("replay", "--rules", "a", "--rules", "b").code()).isEqualTo(2);
        assertThat(paywatch("demo", "--alertmanager-url", "http://127.0.0.1:1", "--alertmanager-inhibition", "both").err())
                .isEqualTo("paywatch: demo: --alertmanager-inhibition must be paywatch or alertmanager, got 'both'\n");
        assertThat(paywatch("demo", "--alertmanager-inhibition", "alertmanager").err())
                .isEqualTo("paywatch: demo: --alertmanager-inhibition needs --alertmanager-url\n");        assertThat(paywatch("replay", "--input", "x.jsonl", "--idle-timeout", "1m").err())
                .isEqualTo("paywatch: replay: --idle-timeout is for run (a replay's partitions are never idle)\n");
        assertThat(paywatch("run", "--idle-timeout", "soon").err()).startsWith("paywatch: run: --idle-timeout: ");
    }

    @Test
    void theParsedFlagsAreWhatTheCommandsRead() {
        CliArgs a = CommandLines.parse(new String[] {"replay", "--input", "a.jsonl", "--input=b.jsonl.gz",
            "--rules=r.yaml", "--quiet", "--webhook-url", "http://h/1", "--webhook-url", "http://h/2"});
        assertThat(a.command()).isEqualTo("replay");
        assertThat(a.all("input")).containsExactly("a.jsonl", "b.jsonl.gz");
        assertThat(a.all("webhook-url")).containsExactly("http://h/1", "http://h/2");
        assertThat(a.get("rules")).isEqualTo("r.yaml");
        assertThat(a.has("quiet")).isTrue();
        assertThat(a.has("alerts-out")).isFalse();
        assertThatThrownBy(() -> a.get("input")).isInstanceOf(UsageException.class)
                .hasMessage("replay: flag --input given more than once");
        CliArgs send = CommandLines.parse(new String[] {"control", "send", "--change", "{\"change_id\":\"c\"}"});
        assertThat(send.command()).isEqualTo("control send");
        assertThat(send.get("change")).isEqualTo("{\"change_id\":\"c\"}");
    }

    /** A flag the code reads but the command line does not declare could never be given. */
    @Test
    void everyFlagTheCommandsReadIsDeclared() throws IOException {
        Path cli = Paths.get("src/main/java/io/paywatch/jobs/cli");
        Set<String> jobFlags = new LinkedHashSet<>();
        for (String c : List.of("demo", "replay", "run")) {
            jobFlags.addAll(CommandLines.flagNames(c));
        }
        assertDeclared(cli.resolve("JobCommand.java"), jobFlags);
        assertDeclared(cli.resolve("Sources.java"), jobFlags);
        assertDeclared(cli.resolve("GenerateCommand.java"), Set.copyOf(CommandLines.flagNames("generate")));
        assertDeclared(cli.resolve("ProduceCommand.java"), Set.copyOf(CommandLines.flagNames("produce")));
        Set<String> control = new LinkedHashSet<>(CommandLines.flagNames("control send"));
        control.addAll(CommandLines.flagNames("control show"));
        assertDeclared(cli.resolve("ControlCommand.java"), control);
    }

    private static void assertDeclared(Path source, Set<String> declared) throws IOException {
        Matcher m = Pattern.compile("\\b(?:args|a)\\.(?:has|get|all|required|intValue|durationMs|durationOrZeroMs"
                + "|secretFromEnv)\\(\"([a-z-]+)\"").matcher(Files.readString(source));
        int found = 0;
        while (m.find()) {
            assertThat(declared).as("%s reads --%s", source.getFileName(), m.group(1)).contains(m.group(1));
            found++;
        }
        assertThat(found).as(source.toString()).isPositive();
    }

    /** The generated script, sourced by a real bash, completes commands, flags and control's actions. */
    @Test
    void theBashCompletionCompletesCommandsAndFlags() throws Exception {
        Result r = paywatch("completion");
        assertThat(r.code()).isZero();
        Path script = dir.resolve("paywatch.bash");
        Files.writeString(script, r.out());
        assertThat(complete(script, "paywatch rep")).containsExactly("replay");
        assertThat(complete(script, "paywatch replay --alerts")).containsExactlyInAnyOrder("--alerts-out", "--alerts-topic");
        assertThat(complete(script, "paywatch run --prom")).containsExactly("--prometheus-port");
        assertThat(complete(script, "paywatch control s")).containsExactlyInAnyOrder("send", "show");
    }

    private static List<String> complete(Path script, String line) throws Exception {
        String words = line.replace("'", "");
        String bash = "source '" + script + "' 2>/dev/null; COMP_LINE='" + words + "'; COMP_POINT=${#COMP_LINE};"
                + " read -ra COMP_WORDS <<< \"$COMP_LINE\"; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ));"
                + " _complete_paywatch 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p = new ProcessBuilder("bash", "-c", bash).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> replies = new ArrayList<>();
        for (String reply : out.split("\n")) {
            if (!reply.isBlank()) {
                replies.add(reply.trim());
            }
        }
        return replies;
    }
}
