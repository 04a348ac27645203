package dev.relay.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The stuck-queue alert: due once the oldest envelope has waited longer than the threshold, then at most once per threshold. */
final class StuckQueue {
    private Instant lastAlert = Instant.MIN;

    /**
     * The alert's text when one is due at {@code now}.
     *
     * @param oldestName  the oldest waiting envelope's file name, with {@code oldestAt} its time
     * @param state       the relay's state word and last error, for the text
     */
    Optional<String> check(String oldestName, Instant oldestAt, int waiting, Duration threshold, Instant now, String state,
                           String lastError) {
        Duration age = Duration.between(oldestAt, now);
        if (age.compareTo(threshold) <= 0 || Duration.between(lastAlert, now).compareTo(threshold) < 0) {
            return Optional.empty();
        }
        lastAlert = now;
        return Optional.of(waiting + " envelope" + (waiting == 1 ? "" : "s") + " waiting; the oldest (" + oldestName
                + ") for " + age.toMinutes() + " min. State: " + state + (lastError == null ? "" : "; last error: " + lastError));
    }
}
