package dev.relay.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.config.Secrets;
import dev.relay.core.SessionId;
import dev.relay.dispatch.DispatchTarget;
import dev.relay.notify.Notification;
import dev.relay.state.AgentState;
import dev.relay.inbox.Item;
import dev.relay.inbox.Kind;
import dev.relay.testing.Await;
import dev.relay.testing.LoopHarness;
import dev.relay.testing.ManualClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's rules with a fake runtime: failures back off, exits are reported once, Docker may be away. */
class AgentSupervisionTest {
    private static final String CONFIG = "sessions:\n  - id: files1\n  - id: c1\n    kind: container\n";

    @TempDir
    Path dir;

    final FakeAgentRuntime runtime = new FakeAgentRuntime();
    /** What .env and the environment hold when an agent starts: an OAuth token unless a test says otherwise. */
    volatile Secrets secrets = secrets(null, "oauth-token-for-agents-0123", null);
    ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
    LoopHarness relay;
    AgentSupervisor supervisor;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        if (supervisor != null) {
            supervisor.close();
        }
    }

    private void start() {
        start(CONFIG);
    }

    private void start(String config) {
        relay = new LoopHarness(dir, Clock.systemUTC()).config(config);
        supervisor = new AgentSupervisor(relay.home, relay.settings(), runtime, relay.notifier, clock, () -> secrets, false);
        relay.withTargets(s -> s.value().equals("c1") ? Optional.of((DispatchTarget) supervisor) : Optional.empty());
        relay.beforeStart(loop -> loop.onAgentRestart(supervisor::restartNow));
        relay.start();
        supervisor.start();
    }

    /** Time passes: the supervisor's clock moves, then it takes one step (its scheduler in production). */
    private void advance(Duration d) {
        clock.advance(d);
        supervisor.tick();
    }

    private static Secrets secrets(String coordinatorKey, String oauthToken, String agentKey) {
        return new Secrets(Optional.ofNullable(coordinatorKey), Optional.empty(), Optional.empty(), Optional.ofNullable(oauthToken),
                Optional.ofNullable(agentKey));
    }

    private AgentState state() {
        return supervisor.snapshot().agents().get(0).state();
    }

    /** What is in c1's follow-up directory (nothing when the directory was never made). */
    private List<Path> inputFiles() {
        try (var files = java.nio.file.Files.list(dir.resolve("agents/c1/ipc/input"))) {
            return files.toList();
        } catch (java.io.IOException none) {
            return List.of();
        }
    }

    private long failureNotes() {
        return relay.open(Kind.AGENT_FAILED).stream().filter(i -> i.title().contains("agent c1 failed")).count();
    }

    @Test
    void a_container_started_with_a_reply_still_queued_gets_it_once_after_a_restart() throws Exception {
        // The relay started c1's container with this reply as its first line, then died before removing the reply from
        // the outbox: the container lives on, labelled with the entry it was started with.
        dev.relay.core.Home home = new dev.relay.core.Home(dir);
        dev.relay.dispatch.Outbox outbox = new dev.relay.dispatch.Outbox(home.outboxRoot(), Clock.systemUTC());
        SessionId c1 = SessionId.of("c1");
        assertTrue(outbox.enqueue(c1, "turn-7", "Write the installation guide."));
        String entry = outbox.pending(c1).get(0).name();
        runtime.leftOver.add(new AgentRuntime.Container("left-c1", Map.of(AgentSupervisor.HOME_LABEL,
                home.root().toAbsolutePath().normalize().toString(), AgentSupervisor.AGENT_LABEL, "c1", AgentSupervisor.ENTRY_LABEL, entry),
                true, "Up 3 minutes"));

        start();
        Await.until("re-attached", () -> state() == AgentState.RUNNING);
        Await.until("the reply gone from the outbox", () -> outbox.pending(c1).isEmpty());
        relay.send("files1", "a turn, so that the loop has pumped the outbox since");
        relay.take("files1");
        assertEquals(List.of(), runtime.startedSlugs, "no second container");
        assertEquals(List.of(), inputFiles(), "not sent again as a follow-up");
        assertTrue(supervisor.snapshot().recovery().get(0).contains("re-attached to the running container left-c1")
                && supervisor.snapshot().recovery().get(0).contains("is not sent again"), supervisor.snapshot().recovery().toString());

        // what comes next for c1 goes in as a follow-up, as usual
        relay.override("@c1: and the upgrade notes");
        Await.until("the follow-up written", () -> inputFiles().stream().anyMatch(f -> f.toString().endsWith(".json")));
    }

    @Test
    void docker_away_at_start_up_its_containers_from_before_are_found_when_it_answers_not_doubled() throws Exception {
        runtime.reachable = false;
        runtime.leftOver.add(new AgentRuntime.Container("left-c1", Map.of(AgentSupervisor.HOME_LABEL,
                dir.toAbsolutePath().normalize().toString(), AgentSupervisor.AGENT_LABEL, "c1"), true, "Up 1 hour"));
        start();
        relay.override("@c1: build");
        Await.until("said unreachable", () -> state() == AgentState.UNAVAILABLE);

        runtime.reachable = true;
        advance(Duration.ofSeconds(10));
        Await.until("re-attached", Duration.ofSeconds(15), () -> state() == AgentState.RUNNING);
        Await.until("the reply written to it as a follow-up", () -> inputFiles().stream().anyMatch(f -> f.toString().endsWith(".json")));
        assertEquals(List.of(), runtime.startedSlugs, "no second container beside the one from before");
        assertEquals(1, supervisor.snapshot().recovery().stream().filter(r -> r.startsWith("Docker unreachable at start-up")).count(),
                supervisor.snapshot().recovery().toString());
        assertTrue(supervisor.snapshot().recovery().stream().anyMatch(r -> r.contains("re-attached to the running container left-c1")),
                supervisor.snapshot().recovery().toString());
    }

    @Test
    void a_reply_that_became_the_start_line_is_not_written_again_when_the_loop_offers_it_late() throws Exception {
        start();
        relay.override("@c1: do the thing");
        Await.until("started", () -> state() == AgentState.RUNNING);
        // The loop listed the reply before the start took it off the outbox, and offers it now that the agent runs.
        dev.relay.dispatch.Outbox.Entry stale = new dev.relay.dispatch.Outbox.Entry(SessionId.of("c1"),
                dir.resolve("state/outbox/c1/000000000001-gone.txt"));
        assertEquals(false, supervisor.deliver(stale));
        assertEquals(List.of(), inputFiles().stream().filter(f -> f.toString().endsWith(".json")).toList(),
                "no empty follow-up");
    }

    @Test
    void a_container_is_started_with_the_label_of_its_first_reply() {
        start();
        relay.override("@c1: do the thing");
        Await.until("started", () -> state() == AgentState.RUNNING);
        Map<String, String> labels = runtime.startedLabels.get(runtime.lastId());
        assertEquals("c1", labels.get(AgentSupervisor.AGENT_LABEL));
        assertTrue(labels.get(AgentSupervisor.ENTRY_LABEL).matches("[A-Za-z0-9][A-Za-z0-9._-]*"), labels.toString());
    }

    @Test
    void repeated_start_failures_back_off_and_notify_once_not_a_restart_storm() {
        start();
        runtime.failStarts.set(3);
        relay.override("@c1: do the thing");
        Await.until("the first failure", () -> state() == AgentState.BACKOFF);
        assertEquals(1, runtime.startedSlugs.size());
        assertEquals(1, failureNotes());

        // while backing off nothing is tried, however often the loop offers the reply (every step)
        relay.send("files1", "keep the loop busy");
        relay.take("files1");
        assertEquals(1, runtime.startedSlugs.size());

        advance(Duration.ofSeconds(5));   // the first backoff: 5 s
        Await.until("the second attempt", () -> runtime.startedSlugs.size() == 2);
        Await.until("backing off again", () -> state() == AgentState.BACKOFF);
        advance(Duration.ofSeconds(5));
        Await.until("still backing off (10 s now)", () -> state() == AgentState.BACKOFF);
        assertEquals(2, runtime.startedSlugs.size());
        advance(Duration.ofSeconds(6));
        Await.until("the third attempt", () -> runtime.startedSlugs.size() == 3);
        assertEquals(1, failureNotes(), "one notification, not one per attempt");
        assertTrue(supervisor.snapshot().agents().get(0).lastError().contains("no such image"));
    }

    @Test
    void restart_from_the_inbox_ends_the_backoff_and_a_good_run_resolves_the_failure() {
        start();
        runtime.failStarts.set(1);
        relay.override("@c1: do the thing");
        Await.until("the first failure", () -> state() == AgentState.BACKOFF);
        Item failed = relay.open(Kind.AGENT_FAILED).get(0);
        assertTrue(failed.takes(dev.relay.inbox.Action.RESTART));

        new dev.relay.inbox.Inbox(relay.home.inboxFile(), clock).act(dev.relay.inbox.Inbox.Request.of(failed.code(),
                dev.relay.inbox.Action.RESTART, dev.relay.inbox.Source.PHONE));
        // no time passes on the supervisor's clock: only the restart ends the 5 s backoff
        Await.until("started again at once", () -> {
            supervisor.tick();
            return runtime.startedSlugs.size() == 2;
        });
        Await.until("running", () -> state() == AgentState.RUNNING);
        runtime.output(runtime.lastId(), new AgentOutput(true, Optional.of("done"), Optional.empty(), Optional.empty(),
                Optional.empty()));
        Await.until("the failure resolved itself", () -> relay.open(Kind.AGENT_FAILED).isEmpty());
        assertEquals(java.util.Optional.of("agent c1 ran again"),
                relay.inbox().find(failed.code()).orElseThrow().resolution());
    }

    @Test
    void a_run_over_its_time_limit_is_asked_to_close_then_stopped_after_the_grace() throws Exception {
        start(CONFIG + "agents:\n  max_run_s: 60\n  stop_grace_s: 10\n");
        relay.override("@c1: a long job");
        Await.until("running", () -> state() == AgentState.RUNNING);
        advance(Duration.ofSeconds(61));
        Await.until("asked to close", () -> state() == AgentState.CLOSING);
        assertTrue(java.nio.file.Files.exists(dir.resolve("agents/c1/ipc/input/_close")));
        // the fake agent ignores _close, as a hung one would
        advance(Duration.ofSeconds(11));
        Await.until("stopped by force and reported", () -> state() == AgentState.BACKOFF);
        assertTrue(supervisor.snapshot().agents().get(0).lastError().contains("exit 137"), supervisor.snapshot().agents().get(0).lastError());
    }

    @Test
    void a_mount_outside_the_allow_list_stops_the_start_with_the_reason() throws Exception {
        java.nio.file.Path keys = java.nio.file.Files.createTempDirectory("relay-test-keys");   // outside the home
        start("sessions:\n  - id: files1\n  - id: c1\n    kind: container\n    container:\n      mounts:\n"
                + "        - {host: " + keys + ", container: /keys}\n");
        relay.override("@c1: read the keys");
        Await.until("refused", () -> state() == AgentState.BACKOFF);
        String error = supervisor.snapshot().agents().get(0).lastError();
        assertTrue(error.contains("mount " + keys + " -> /keys refused") && error.contains("agents.mount_allowlist"), error);
        assertTrue(runtime.startedSlugs.isEmpty(), "no container was started");
        java.nio.file.Files.delete(keys);
    }

    @Test
    void an_exit_137_is_reported_as_killed_with_one_notification() {
        start();
        relay.override("@c1: eat memory");
        Await.until("running", () -> state() == AgentState.RUNNING);
        runtime.exit(runtime.lastId(), 137, true);
        Await.until("backing off", () -> state() == AgentState.BACKOFF);
        assertTrue(supervisor.snapshot().agents().get(0).lastError().contains("killed: out of memory (exit 137)"),
                supervisor.snapshot().agents().get(0).lastError());
        Item n = relay.open(Kind.AGENT_FAILED).stream().filter(x -> x.title().contains("agent c1 failed")).findFirst().orElseThrow();
        assertTrue(n.text().contains("out of memory"), n.text());
        assertEquals(java.util.Optional.of("c1"), n.session());
        assertEquals(1, failureNotes());
    }

    private static final String COORDINATOR_KEY = "sk-ant-coordinators-key-0123456789";
    private static final String AGENT_KEY = "sk-ant-agents-own-key-0123456789";
    private static final String TOKEN = "oauth-token-for-agents-0123";
    private static final String SHARED = CONFIG + "agents:\n  share_coordinator_key: true\n";

    /** The {@code secrets} object of a start line, whole. */
    private Map<String, String> secretsOfStart(int i) throws Exception {
        JsonNode line = new ObjectMapper().readTree(runtime.startLines.get(i));
        Map<String, String> out = new java.util.TreeMap<>();
        line.get("secrets").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** state/agents.json as `relay agents` reads it ("" before the first write). */
    private String published() {
        try {
            return java.nio.file.Files.readString(dir.resolve("state/agents.json"));
        } catch (java.io.IOException none) {
            return "";
        }
    }

    private void startAgent(String config) {
        start(config);
        relay.override("@c1: build");
        Await.until("started", () -> state() == AgentState.RUNNING);
    }

    @Test
    void an_oauth_token_is_the_only_credential_an_agent_gets_when_it_is_set() throws Exception {
        secrets = secrets(COORDINATOR_KEY, TOKEN, AGENT_KEY);
        startAgent(SHARED);
        assertEquals(Map.of("CLAUDE_CODE_OAUTH_TOKEN", TOKEN), secretsOfStart(0));
        assertFalse(runtime.startLines.get(0).contains(COORDINATOR_KEY));
        assertFalse(runtime.startLines.get(0).contains(AGENT_KEY));
    }

    @Test
    void without_a_token_the_agents_own_key_goes_in_as_anthropic_api_key() throws Exception {
        secrets = secrets(COORDINATOR_KEY, null, AGENT_KEY);
        startAgent(SHARED);
        assertEquals(Map.of("ANTHROPIC_API_KEY", AGENT_KEY), secretsOfStart(0));
        assertFalse(runtime.startLines.get(0).contains(COORDINATOR_KEY), "the agents' own key wins even when sharing is on");
    }

    @Test
    void the_coordinators_key_goes_to_an_agent_only_when_config_yaml_shares_it() throws Exception {
        secrets = secrets(COORDINATOR_KEY, null, null);
        startAgent(SHARED);
        assertEquals(Map.of("ANTHROPIC_API_KEY", COORDINATOR_KEY), secretsOfStart(0));
    }

    @Test
    void with_no_credential_for_agents_the_start_fails_naming_what_to_set_and_the_coordinators_key_stays_out() throws Exception {
        secrets = secrets(COORDINATOR_KEY, null, null);
        start();
        relay.override("@c1: build");
        Await.until("refused", () -> state() == AgentState.BACKOFF);
        assertEquals(List.of(), runtime.startLines, "no container was started");
        String error = supervisor.snapshot().agents().get(0).lastError();
        assertEquals("no credential for container agents: put CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`) or"
                + " AGENT_ANTHROPIC_API_KEY (the agents' own API key) in " + dir.resolve(".env") + " or the environment;"
                + " ANTHROPIC_API_KEY is the coordinator's and reaches agents only with agents.share_coordinator_key: true"
                + " in config.yaml", error);
        Await.until("agents.json says why", () -> published().contains("no credential for container agents"));
        String published = published();
        assertFalse(published.contains(COORDINATOR_KEY), published);
        assertEquals(1, failureNotes());

        // the operator adds a token to .env: the next try takes it, with the reply that waited
        secrets = secrets(COORDINATOR_KEY, TOKEN, null);
        advance(Duration.ofSeconds(5));
        Await.until("started with the token", () -> state() == AgentState.RUNNING);
        assertEquals(Map.of("CLAUDE_CODE_OAUTH_TOKEN", TOKEN), secretsOfStart(0));
        assertEquals("build", new ObjectMapper().readTree(runtime.startLines.get(0)).get("prompt").asText());
    }

    @Test
    void container_env_goes_into_the_agents_container_with_its_sessions_own_values_over_the_global_ones() {
        startAgent("container:\n  env:\n    ANTHROPIC_BASE_URL: http://gateway.example:8080\n    HTTPS_PROXY: http://proxy.example:3128\n"
                + CONFIG + "    container:\n      env:\n        HTTPS_PROXY: http://c1-proxy.example:3128\n        PIP_INDEX_URL: http://pypi.example\n");
        assertEquals(Map.of("ANTHROPIC_BASE_URL", "http://gateway.example:8080", "HTTPS_PROXY", "http://c1-proxy.example:3128",
                "PIP_INDEX_URL", "http://pypi.example", "RELAY_AGENT_ENV", "ANTHROPIC_BASE_URL,HTTPS_PROXY,PIP_INDEX_URL",
                "HOME", "/workspace/.home"), runtime.startedSpecs.get(0).env());
        assertFalse(runtime.startLines.get(0).contains("gateway.example"), "plain variables are not secrets: not on the start line");
    }

    @Test
    void without_container_env_an_agent_gets_only_its_home() {
        startAgent(CONFIG);
        assertEquals(Map.of("HOME", "/workspace/.home"), runtime.startedSpecs.get(0).env());
    }

    @Test
    void without_docker_file_sessions_go_on_and_container_sessions_wait_then_resume() {
        runtime.reachable = false;
        start();
        relay.override("@c1: build");
        Await.until("said unreachable", () -> state() == AgentState.UNAVAILABLE);
        assertTrue(supervisor.snapshot().runtimeProblem().orElse("").contains("Docker is unreachable"));

        relay.send("files1", "a file session still works");
        assertEquals("reply to: [session files1] a file session still works", relay.take("files1"));
        assertTrue(runtime.startedSlugs.isEmpty());

        runtime.reachable = true;
        // the supervisor pings every ten seconds of its clock
        advance(Duration.ofSeconds(10));
        Await.until("Docker seen again", Duration.ofSeconds(15), () -> supervisor.snapshot().runtimeProblem().isEmpty());
        Await.until("the waiting reply starts the container", Duration.ofSeconds(15), () -> runtime.startedSlugs.size() == 1);
        Await.until("running", () -> state() == AgentState.RUNNING);
        assertEquals(SessionId.of("c1").value(), runtime.startedSlugs.get(0));
    }

    // ---- the hand-off, exactly once ----------------------------------------------------------------------------

    private final SessionId c1 = SessionId.of("c1");

    private dev.relay.dispatch.Outbox outbox() {
        return new dev.relay.dispatch.Outbox(new dev.relay.core.Home(dir).outboxRoot(), Clock.systemUTC());
    }

    /** Replies claimed by the supervisor and not yet handed to c1. */
    private List<Path> claims() {
        try (var files = java.nio.file.Files.list(dir.resolve("state/agents/c1.claimed"))) {
            return files.toList();
        } catch (java.io.IOException none) {
            return List.of();
        }
    }

    /** The texts of c1's visible follow-up files. */
    private List<String> followUps() {
        return inputFiles().stream().filter(f -> f.getFileName().toString().matches("[0-9].*\\.json")).map(f -> {
            try {
                return new ObjectMapper().readTree(f.toFile()).get("text").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    private List<String> startPrompts() {
        return runtime.startLines.stream().map(l -> {
            try {
                return new ObjectMapper().readTree(l).get("prompt").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    /** A claim as a relay that stopped mid-hand-over left it: out of the outbox, named for what it was to become. */
    private String leaveClaim(String kind, String text) throws Exception {
        String entry = "0001763892000000-000000-" + kind.length() + "abc.txt";
        java.nio.file.Files.createDirectories(dir.resolve("state/agents/c1.claimed"));
        java.nio.file.Files.writeString(dir.resolve("state/agents/c1.claimed/" + kind + entry), text);
        return entry;
    }

    private AgentRuntime.Container liveC1(String startedWith) {
        Map<String, String> labels = new java.util.HashMap<>(Map.of(AgentSupervisor.HOME_LABEL, dir.toAbsolutePath().normalize().toString(),
                AgentSupervisor.AGENT_LABEL, "c1"));
        if (startedWith != null) {
            labels.put(AgentSupervisor.ENTRY_LABEL, startedWith);
        }
        return new AgentRuntime.Container("left-c1", labels, true, "Up 2 minutes");
    }

    @Test
    void a_reply_that_comes_while_the_container_starts_waits_then_goes_in_once_as_a_follow_up() throws Exception {
        runtime.startGate = new java.util.concurrent.CountDownLatch(1);
        start();
        relay.override("@c1: first");
        Await.until("starting", () -> state() == AgentState.STARTING);
        relay.override("@c1: second");
        Await.until("the second reply queued for c1", () -> outbox().pending(c1).size() == 1);
        relay.send("files1", "a turn, so that the loop has offered c1's reply again since");
        relay.take("files1");
        assertEquals(1, outbox().pending(c1).size(), "busy while starting: the reply stays in the outbox");

        runtime.startGate.countDown();
        Await.until("the second reply handed over", () -> followUps().equals(List.of("second")));
        Await.until("nothing left for c1", () -> outbox().pending(c1).isEmpty() && claims().isEmpty());
        relay.send("files1", "another turn");
        relay.take("files1");
        supervisor.settle();
        assertEquals(List.of("first"), startPrompts(), "one container, started with the first reply once");
        assertEquals(List.of("second"), followUps(), "the second reply once, as a follow-up");
    }

    @Test
    void a_reply_claimed_for_a_start_that_never_happened_is_queued_again_after_a_restart_and_started_once() throws Exception {
        leaveClaim(AgentWorkspace.START, "the interrupted start");
        start();
        Await.until("started", () -> state() == AgentState.RUNNING);
        Await.until("the claim settled", () -> claims().isEmpty() && outbox().pending(c1).isEmpty());
        assertEquals(List.of("the interrupted start"), startPrompts());
        assertTrue(supervisor.snapshot().recovery().stream().anyMatch(r -> r.contains("queued for it again")),
                supervisor.snapshot().recovery().toString());
        relay.send("files1", "a turn, so that the loop has pumped the outbox since");
        relay.take("files1");
        supervisor.settle();
        assertEquals(List.of("the interrupted start"), startPrompts(), "started once");
        assertEquals(List.of(), followUps(), "and not sent again as a follow-up");
    }

    @Test
    void a_reply_claimed_for_a_start_the_live_container_got_is_not_sent_again() throws Exception {
        String entry = leaveClaim(AgentWorkspace.START, "already its first line");
        runtime.leftOver.add(liveC1(entry));
        start();
        Await.until("re-attached", () -> state() == AgentState.RUNNING);
        Await.until("the claim dropped", () -> claims().isEmpty());
        relay.send("files1", "a turn, so that the loop has pumped the outbox since");
        relay.take("files1");
        supervisor.settle();
        assertEquals(List.of(), runtime.startLines, "no second container");
        assertEquals(List.of(), followUps(), "not sent again as a follow-up");
        assertTrue(outbox().pending(c1).isEmpty());
    }

    @Test
    void follow_ups_claimed_before_a_crash_reach_the_live_agent_once_whether_or_not_it_saw_them() throws Exception {
        // one was staged and claimed but never shown; the other was shown (and read by the agent) before the crash
        String unseen = leaveClaim(AgentWorkspace.FOLLOW, "never seen");
        java.nio.file.Files.createDirectories(dir.resolve("agents/c1/ipc/input"));
        java.nio.file.Files.writeString(dir.resolve("agents/c1/ipc/input/." + unseen.replace(".txt", ".json") + ".tmp"),
                "{\"type\":\"message\",\"text\":\"never seen\"}");
        java.nio.file.Files.writeString(dir.resolve("state/agents/c1.claimed/" + AgentWorkspace.FOLLOW + "0001763891000000-000000-seen.txt"),
                "seen already");
        runtime.leftOver.add(liveC1(null));
        start();
        Await.until("re-attached", () -> state() == AgentState.RUNNING);
        Await.until("both claims settled", () -> claims().isEmpty());
        relay.send("files1", "a turn, so that the loop has pumped the outbox since");
        relay.take("files1");
        supervisor.settle();
        assertEquals(List.of("never seen"), followUps());
        assertTrue(outbox().pending(c1).isEmpty(), "neither went back to the outbox");
        assertEquals(List.of(), runtime.startLines);
    }

    // ---- time comes from the clock, ticks from the test -------------------------------------------------------

    @Test
    void docker_is_asked_again_ten_seconds_after_the_last_try_whatever_the_clock_reads() {
        clock = new ManualClock(Instant.parse("2026-11-23T10:00:03.700Z"));   // no round ten seconds
        runtime.reachable = false;
        start();
        relay.override("@c1: build");
        Await.until("said unreachable", () -> state() == AgentState.UNAVAILABLE);
        runtime.reachable = true;
        int pings = runtime.pings.get();
        advance(Duration.ofSeconds(9));
        assertEquals(pings, runtime.pings.get(), "not asked again within ten seconds");
        assertEquals(AgentState.UNAVAILABLE, state());
        advance(Duration.ofSeconds(1));
        assertEquals(pings + 1, runtime.pings.get());
        assertTrue(supervisor.snapshot().runtimeProblem().isEmpty());
        Await.until("the waiting reply starts the container", () -> state() == AgentState.RUNNING);
    }

    // ---- a lost session is a code ---------------------------------------------------------------------------

    private void keepSession(String id) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("state/agents"));
        java.nio.file.Files.writeString(dir.resolve("state/agents/c1.session"), id + "\n");
    }

    @Test
    void an_error_with_the_lost_session_code_is_retried_once_with_a_fresh_session() throws Exception {
        keepSession("sess-gone");
        startAgent(CONFIG);
        assertTrue(runtime.startLines.get(0).contains("\"sessionId\":\"sess-gone\""), runtime.startLines.get(0));
        String first = runtime.lastId();
        runtime.output(first, new AgentOutput(false, Optional.empty(), Optional.empty(), Optional.of("agent failed: exited with code 1"),
                Optional.of(AgentSupervisor.SESSION_NOT_FOUND)));
        runtime.exit(first, 1, false);
        Await.until("started again", () -> runtime.startLines.size() == 2);
        assertTrue(runtime.startLines.get(1).contains("\"sessionId\":null"), runtime.startLines.get(1));
        assertEquals(List.of("build", "build"), startPrompts());
        Await.until("running", () -> state() == AgentState.RUNNING);
        assertFalse(java.nio.file.Files.exists(dir.resolve("state/agents/c1.session")), "the lost session is forgotten");
    }

    @Test
    void an_error_in_the_words_of_a_lost_session_but_without_its_code_is_a_failure_not_a_retry() throws Exception {
        keepSession("sess-kept");
        startAgent(CONFIG);
        String first = runtime.lastId();
        runtime.output(first, AgentOutput.failure("No conversation found with session ID: sess-kept"));
        runtime.exit(first, 1, false);
        Await.until("backing off", () -> state() == AgentState.BACKOFF);
        supervisor.settle();
        assertEquals(1, runtime.startLines.size(), "no retry");
        assertEquals("sess-kept", supervisor.snapshot().agents().get(0).sessionId());
    }
}
