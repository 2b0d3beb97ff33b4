package io.paywatch.jobs.cli;

import io.paywatch.model.PlainText;
import java.io.PrintStream;
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

    /** Runs a command; returns the exit code (0 done, 1 failed, 2 a usage error). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        java.io.PrintWriter help = new java.io.PrintWriter(out, true);
        picocli.CommandLine root = CommandLines.root(help);
        String command = args.length == 0 ? "" : args[0];
        try {
            picocli.CommandLine.ParseResult parsed;
            try {
                parsed = root.parseArgs(args);
            } catch (picocli.CommandLine.ParameterException e) {
                throw new UsageException(CommandLines.oneLine(e));
            }
            // --help on any command, help [COMMAND], --version
            if (picocli.CommandLine.printHelpIfRequested(parsed)) {
                return 0;
            }
            picocli.CommandLine.ParseResult leaf = CommandLines.leaf(parsed);
            command = CommandLines.name(leaf.commandSpec());
            switch (command) {
                case "":
                case "control":
                    // a command (or control's action) is missing: what there is to say
                    leaf.commandSpec().commandLine().usage(help);
                    return 2;
                case "demo":
                case "replay":
                case "run":
                    return new JobCommand(command, CommandLines.flags(leaf), out).execute();
                case "generate":
                    return GenerateCommand.execute(CommandLines.flags(leaf), out);
                case "produce":
                    return ProduceCommand.execute(CommandLines.flags(leaf), out);
                case "control send":
                case "control show":
                    return ControlCommand.execute(CommandLines.flags(leaf), out);
                case "completion":
                    out.print(CommandLines.completionScript());
                    return 0;
                default:
                    throw new UsageException("unknown command '" + command + "'");
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
