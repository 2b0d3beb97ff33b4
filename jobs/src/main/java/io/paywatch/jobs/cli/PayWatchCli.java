package io.paywatch.jobs.cli;

import io.paywatch.model.PlainText;
import java.io.PrintStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./paywatch COMMAND [flags]}: the contract's command line (section 6). Errors end the
 * command with one line naming the problem and a non-zero exit code; details go to the log.
 */
public final class PayWatchCli {
    private static final Logger LOG = LoggerFactory.getLogger("paywatch.failures");

    private PayWatchCli() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.exit(code);
    }

    /** Runs a command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")
                || args[0].equals("-h")) {
            out.print(Usage.TEXT);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        try {
            switch (command) {
                case "demo":
                case "replay":
                case "run":
                    return new JobCommand(command, args, out).execute();
                case "generate":
                    return GenerateCommand.execute(args, out);
                case "produce":
                    return ProduceCommand.execute(args, out);
                case "control":
                    return ControlCommand.execute(args, out);
                case "bench":
                    throw new UsageException("bench: the benchmark is its own jar (it alone brings Flink SQL"
                            + " and JMH): run ./paywatch bench");
                default:
                    throw new UsageException("unknown command '" + command
                            + "' (commands: demo, replay, run, generate, produce, control, bench, help)");
            }
        } catch (UsageException e) {
            // one line, whatever the message quotes (a flag value, a rules file's key)
            err.println(PlainText.visible("paywatch: " + e.getMessage()));
            return 2;
        } catch (Exception e) {
            LOG.error("paywatch {} failed", command, e);
            err.println(PlainText.visible("paywatch: " + command + " failed: " + rootMessage(e)
                    + " (details in the log)"));
            return 1;
        }
    }

    /** The deepest message in the cause chain: what actually went wrong, on one line. */
    static String rootMessage(Throwable e) {
        String msg = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                msg = t.getMessage();
            }
        }
        if (msg == null) {
            msg = e.getClass().getSimpleName();
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
