package dev.relay.anthropic;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed call, classified: whether to retry, and how long the server asked us to wait.
 *
 * @param status HTTP status, or 0 when no response arrived (timeout, connection refused)
 */
public final class CoordinatorException extends Exception {
    private final int status;
    private final boolean retryable;
    private final Optional<Duration> retryAfter;
    private final String errorType;

    public CoordinatorException(int status, boolean retryable, Optional<Duration> retryAfter, String errorType,
                                String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
        this.errorType = errorType;
    }

    public int status() { return status; }
    public boolean retryable() { return retryable; }
    public Optional<Duration> retryAfter() { return retryAfter; }
    public String errorType() { return errorType; }
}
