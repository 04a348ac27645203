package dev.relay.agents;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** An agent runtime in memory: starts recorded, failures and exits on command, Docker reachable or not. */
final class FakeAgentRuntime implements AgentRuntime {
    volatile boolean reachable = true;
    final AtomicInteger failStarts = new AtomicInteger();
    final List<String> startedSlugs = new CopyOnWriteArrayList<>();
    final Map<String, AgentListener> listeners = new ConcurrentHashMap<>();
    final AtomicInteger pings = new AtomicInteger();
    /** Containers "left from before" (a relay that died): what list() finds, and reattach() takes. */
    final List<Container> leftOver = new CopyOnWriteArrayList<>();
    final Map<String, Map<String, String>> startedLabels = new ConcurrentHashMap<>();
    /** What each start was given (before the runtime zeroes the start line): its spec and its first stdin line. */
    final List<AgentSpec> startedSpecs = new CopyOnWriteArrayList<>();
    final List<String> startLines = new CopyOnWriteArrayList<>();
    /** While set and closed, a start takes as long as a slow daemon's does: until the test opens it. */
    volatile CountDownLatch startGate;

    @Override
    public void ping() {
        pings.incrementAndGet();
        if (!reachable) {
            throw new AgentRuntimeException("Docker is unreachable at unix:///fake.sock (connection refused)", true, null);
        }
    }

    @Override
    public RunningAgent start(AgentSpec spec, byte[] startLine, AgentListener listener) {
        CountDownLatch gate = startGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AgentRuntimeException("interrupted while starting agent " + spec.slug(), false, e);
            }
        }
        startedSpecs.add(spec);
        startLines.add(new String(startLine, java.nio.charset.StandardCharsets.UTF_8));
        Arrays.fill(startLine, (byte) 0);
        if (!reachable) {
            throw new AgentRuntimeException("Docker is unreachable at unix:///fake.sock (connection refused)", true, null);
        }
        startedSlugs.add(spec.slug());
        if (failStarts.getAndDecrement() > 0) {
            throw new AgentRuntimeException("Docker refused to start agent " + spec.slug() + ": no such image", false, null);
        }
        failStarts.set(Math.max(0, failStarts.get()));
        String id = "fake-" + spec.slug() + "-" + startedSlugs.size();
        startedLabels.put(id, spec.labels());
        return running(id, listener);
    }

    private RunningAgent running(String id, AgentListener listener) {
        listeners.put(id, listener);
        return new RunningAgent() {
            @Override
            public String containerId() {
                return id;
            }

            @Override
            public void stop(Duration grace) {
                exit(id, 137, false);
            }

            @Override
            public void detach() {
                listeners.remove(id);
            }
        };
    }

    void exit(String id, long code, boolean oom) {
        AgentListener l = listeners.remove(id);
        if (l != null) {
            l.exited(new AgentExit(code, oom));
        }
    }

    /** The container reports a result block, as its attach stream would. */
    void output(String id, AgentOutput output) {
        listeners.get(id).output(output);
    }

    String lastId() {
        return listeners.keySet().stream().findFirst().orElseThrow();
    }

    @Override
    public List<Container> list(Map<String, String> labels) {
        if (!reachable) {
            throw new AgentRuntimeException("Docker is unreachable", true, null);
        }
        return leftOver.stream().filter(c -> c.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    @Override
    public RunningAgent reattach(String containerId, AgentListener listener) {
        if (leftOver.stream().noneMatch(c -> c.id().equals(containerId) && c.running())) {
            throw new AgentRuntimeException("nothing to re-attach", false, null);
        }
        return running(containerId, listener);
    }

    @Override
    public void remove(String containerId) {
    }

    @Override
    public void close() {
    }
}
