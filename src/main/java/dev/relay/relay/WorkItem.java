package dev.relay.relay;

import dev.relay.conversation.Turn;
import dev.relay.core.SessionId;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Something that becomes one coordinator turn: an envelope from queue/ or an operator message taken from
 * jc_input.txt. Its file stays where it is until the turn is complete, so a crash never loses it.
 *
 * @param speaker    the session id of the reporting agent, or {@code Turn.OPERATOR}
 * @param replyTo    where the coordinator's reply goes; empty when it is only recorded
 * @param recordsId  whether the key must be remembered as a taken envelope id
 */
record WorkItem(Path file, String key, String speaker, String content, Optional<SessionId> replyTo, boolean recordsId) {
    /** The item as the log names it. */
    String describe() {
        return speaker.equals(Turn.OPERATOR) ? "the operator's message" : "envelope " + file.getFileName() + " from " + speaker;
    }
}
