package dev.relay.cli;

/** A failure the user can fix: printed as one line, never as a stack trace. */
final class UserException extends RuntimeException {
    private final int exitCode;

    UserException(String message) {
        this(message, ExitCodes.FAILURE);
    }

    UserException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
