package io.paywatch.jobs.cli;

/** A problem with the command line or its inputs, reported as one line and exit code 2. */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
