package dev.relay.core;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's {@code @SESSION: text}, handed to that session straight, without the coordinator. The one reading of
 * the syntax: what the relay delivers directly is what the console and {@code relay override} say goes directly.
 *
 * @param message the text after the colon, stripped; empty when nothing followed it
 */
public record DirectMessage(SessionId session, String message) {
    private static final Pattern SYNTAX = Pattern.compile("@(" + SessionId.SYNTAX + "):[ \\t]*(.*)", Pattern.DOTALL);

    public DirectMessage {
        Objects.requireNonNull(session, "session");
        message = message.strip();
    }

    /** The direct message a text is: it starts, with nothing before, with {@code @SESSION:}; empty when it is not one. */
    public static Optional<DirectMessage> parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        return m.matches() ? Optional.of(new DirectMessage(SessionId.of(m.group(1)), m.group(2))) : Optional.empty();
    }

    /** The text that sends {@code message} to {@code session} directly. */
    public static String format(SessionId session, String message) {
        return "@" + session.value() + ": " + message;
    }

    /** As the operator would write it. */
    public String text() {
        return format(session, message);
    }
}
