package dev.relay.relay;

import dev.relay.anthropic.CoordinatorRequest;
import dev.relay.anthropic.CoordinatorRequest.Message;
import dev.relay.anthropic.CoordinatorRequest.Role;
import dev.relay.conversation.Turn;
import java.util.ArrayList;
import java.util.List;

/**
 * The history as the coordinator's messages, kept from call to call. The history only grows between summaries, so
 * each turn becomes its messages once: a call at 400k characters of history costs a walk over the turns it already
 * knows (compared by identity), not a new message for each of them.
 *
 * <p>A turn's messages depend on its neighbours (a batched reply's tool results go into the next user message, or
 * into a message of their own when no user turn follows), so the last turn known is built again when more come.
 * A summary replaces the turns, and the messages are built again from there. Used on the loop's thread only.
 */
final class PromptMessages {
    private final List<Turn> known = new ArrayList<>();
    private final List<List<Message>> built = new ArrayList<>();
    /** How many of the known turns are replies given through the reply tool. */
    private int toolReplies;

    /** The messages for these turns ({@code texts} being what the coordinator sees of each). */
    List<Message> of(List<Turn> turns, List<String> texts) {
        int same = 0;
        int limit = Math.min(known.size(), turns.size());
        while (same < limit && known.get(same) == turns.get(same)) {
            same++;
        }
        int keep = Math.max(0, same - 1);
        for (int i = keep; i < known.size(); i++) {
            toolReplies -= isToolReply(known.get(i)) ? 1 : 0;
        }
        known.subList(keep, known.size()).clear();
        built.subList(keep, built.size()).clear();
        for (int i = keep; i < turns.size(); i++) {
            known.add(turns.get(i));
            built.add(messagesOf(turns, texts, i));
            toolReplies += isToolReply(turns.get(i)) ? 1 : 0;
        }
        List<Message> messages = new ArrayList<>(turns.size() + 8);
        for (List<Message> m : built) {
            messages.addAll(m);
        }
        return messages;
    }

    /** Whether the turns last asked for hold a reply given through the reply tool. */
    boolean toolUse() {
        return toolReplies > 0;
    }

    private static boolean isToolReply(Turn t) {
        return t.role() == Turn.Role.ASSISTANT && !t.answers().isEmpty();
    }

    private static List<Message> messagesOf(List<Turn> turns, List<String> texts, int i) {
        Turn t = turns.get(i);
        if (isToolReply(t)) {
            Message calls = new Message(Role.ASSISTANT, "", calls(t), List.of());
            boolean userNext = i + 1 < turns.size() && turns.get(i + 1).role() == Turn.Role.USER;
            return userNext ? List.of(calls) : List.of(calls, new Message(Role.USER, "", List.of(), results(t)));
        }
        if (t.role() == Turn.Role.USER && i > 0 && !turns.get(i - 1).answers().isEmpty()) {
            return List.of(new Message(Role.USER, texts.get(i), List.of(), results(turns.get(i - 1))));
        }
        return List.of(new Message(t.role() == Turn.Role.ASSISTANT ? Role.ASSISTANT : Role.USER, texts.get(i)));
    }

    private static List<CoordinatorRequest.ToolCall> calls(Turn reply) {
        return reply.answers().stream().map(a -> new CoordinatorRequest.ToolCall(a.toolUseId(), a.session(), a.text())).toList();
    }

    /** What the relay tells the model of each call, in the user message after them. */
    private static List<CoordinatorRequest.ToolResult> results(Turn reply) {
        return reply.answers().stream().map(a -> new CoordinatorRequest.ToolResult(a.toolUseId(), a.delivered()
                ? "sent to session " + a.session()
                : "not sent: \"" + a.session() + "\" is not one of the sessions whose reports that turn gave")).toList();
    }
}
