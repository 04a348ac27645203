package dev.relay.cli;

/** CONTRACT section 5. */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;
    static final int LOCKED = 3;

    private ExitCodes() {}
}
