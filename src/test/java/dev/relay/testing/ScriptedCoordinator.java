package dev.relay.testing;

import dev.relay.anthropic.ApiUsage;
import dev.relay.anthropic.Coordinator;
import dev.relay.anthropic.CoordinatorException;
import dev.relay.anthropic.CoordinatorReply;
import dev.relay.anthropic.CoordinatorRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A coordinator that answers from a script: queued answers or failures first, then a default rule. */
public final class ScriptedCoordinator implements Coordinator {
    public interface Step {
        CoordinatorReply answer(CoordinatorRequest request) throws CoordinatorException;
    }

    private final ConcurrentLinkedQueue<Step> script = new ConcurrentLinkedQueue<>();
    public final List<CoordinatorRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Function<CoordinatorRequest, String> byDefault = r -> "reply to: " + lastUserText(r);

    public ScriptedCoordinator thenReply(String text) {
        script.add(r -> reply(text));
        return this;
    }

    public ScriptedCoordinator thenFail(int status, boolean retryable) {
        script.add(r -> {
            throw new CoordinatorException(status, retryable, Optional.empty(), "http_" + status, "HTTP " + status + " scripted", null);
        });
        return this;
    }

    public ScriptedCoordinator then(Step step) {
        script.add(step);
        return this;
    }

    public void byDefault(Function<CoordinatorRequest, String> rule) {
        this.byDefault = rule;
    }

    @Override
    public CoordinatorReply complete(CoordinatorRequest request) throws CoordinatorException {
        requests.add(request);
        Step step = script.poll();
        if (step != null) {
            return step.answer(request);
        }
        if (request.tools() == CoordinatorRequest.Tools.REQUIRED) {
            return answerEach(request, byDefault);
        }
        return reply(byDefault.apply(request));
    }

    /**
     * A batched turn answered as the model must: one reply-tool call per report, each text what {@code rule} answers
     * to that report alone (as "[session S] text", the way a single report reads).
     */
    public static CoordinatorReply answerEach(CoordinatorRequest request, Function<CoordinatorRequest, String> rule) {
        List<CoordinatorRequest.ToolCall> calls = new java.util.ArrayList<>();
        int n = 0;
        for (BatchLayout.Report r : BatchLayout.reports(lastUserText(request))) {
            CoordinatorRequest alone = new CoordinatorRequest(request.model(), request.maxTokens(), request.system(),
                    List.of(new CoordinatorRequest.Message(CoordinatorRequest.Role.USER, "[session " + r.session() + "] " + r.text())),
                    request.historyTtl());
            calls.add(new CoordinatorRequest.ToolCall("toolu_" + (++n), r.session(), rule.apply(alone)));
        }
        return new CoordinatorReply("", "tool_use", "fake", "req_1", new ApiUsage(10, 5, 0, 0, 0, 0), calls);
    }

    public static CoordinatorReply reply(String text) {
        return new CoordinatorReply(text, "end_turn", "fake", "req_1", new ApiUsage(10, 5, 0, 0, 0, 0));
    }

    public static String lastUserText(CoordinatorRequest r) {
        List<CoordinatorRequest.Message> m = r.messages();
        return m.get(m.size() - 1).text();
    }
}
