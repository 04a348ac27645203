package dev.relay.agents;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.config.SessionConfig;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.dispatch.Outbox;
import dev.relay.files.AtomicFiles;
import dev.relay.files.Confined;
import dev.relay.files.IoCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One container agent's files: agents/SLUG/ (the workspace mounted at /workspace: ipc/ and the follow-ups, _close),
 * state/agents/SLUG.session (the session to resume) and state/agents/SLUG.claimed/ (replies taken from the outbox and
 * not yet handed to the agent). The agent writes its workspace, so no link in it is followed ({@link Confined}).
 *
 * <p>A claim is a rename out of the outbox, so the relay loop can never offer that reply again; it is named for what
 * it becomes: {@code start-NAME} (the first stdin line of a container labelled NAME) or {@code follow-NAME} (the
 * follow-up ipc/input/NAME.json, staged as {@code .NAME.json.tmp} before the claim, so that after a crash the staged
 * file still being there means the agent never saw it).
 */
public final class AgentWorkspace {
    static final String START = "start-";
    static final String FOLLOW = "follow-";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");
    static final String CLOSE = "_close";

    private final Home home;
    private final SessionId session;
    private final AgentUser owner;

    AgentWorkspace(Home home, SessionId session, AgentUser owner) {
        this.home = home;
        this.session = session;
        this.owner = owner;
    }

    /**
     * Asks a container agent to finish (what the supervisor does when it is idle), for `relay agent`: the file is its
     * user's, as the supervisor would make it.
     */
    public static void askToClose(Home home, SessionConfig config) throws IOException {
        new AgentWorkspace(home, config.id(), ContainerSpecs.user(config, HostUser.current())).writeClose();
    }

    Path dir() {
        return home.agentDir(session);
    }

    private Path input() {
        return Confined.check(home.root(), home.agentInputDir(session));
    }

    private Path claims() {
        return home.agentClaimsDir(session);
    }

    private Path outbox() {
        return home.outboxDir(session);
    }

    /** Makes the workspace's directories, drops a _close left from before, and gives it all to the agent's user. */
    void prepare() {
        Path ws = dir();
        try {
            for (Path sub : List.of(home.agentInputDir(session), home.agentMessagesDir(session), home.agentTasksDir(session),
                    home.agentErrorsDir(session), ws.resolve(".home"), ws.resolve("conversations"))) {
                Files.createDirectories(Confined.check(home.root(), sub));
            }
            Files.deleteIfExists(input().resolve(CLOSE));
            if (owner.chown()) {
                try (var walk = Files.walk(ws)) {
                    for (Path p : walk.toList()) {
                        owner.own(p);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new AgentRuntimeException("cannot prepare the workspace " + ws + ": " + IoCause.of(e), false, e);
        }
    }

    /** Takes {@code entry} out of the outbox as the start line of a container; empty when it is gone already. */
    Optional<Path> claimStart(Outbox.Entry entry) {
        return claim(entry, START + entry.name());
    }

    /**
     * Stages {@code entry} as a follow-up the agent cannot see yet, then takes it out of the outbox; empty (nothing
     * staged) when it is gone already. {@link #showFollowUp} hands it over.
     */
    Optional<Path> claimFollowUp(Outbox.Entry entry) {
        String text = read(entry.file());
        if (text == null) {
            return Optional.empty();
        }
        Path staged = staged(entry.name());
        try {
            Files.createDirectories(staged.getParent());
            ObjectNode n = JSON.createObjectNode();
            n.put("type", "message");
            n.put("text", text);
            // durable before the claim (see the class comment), and readable by the agent's user as the old files were
            AtomicFiles.writeKeepingMode(staged, JSON.writeValueAsString(n), READABLE);
            owner.own(staged);
        } catch (IOException e) {
            throw IoCause.wrap("cannot write a follow-up for agent " + session + " into " + staged.getParent(), e);
        }
        Optional<Path> claim = claim(entry, FOLLOW + entry.name());
        if (claim.isEmpty()) {
            AtomicFiles.deleteQuietly(staged);
        }
        return claim;
    }

    private Optional<Path> claim(Outbox.Entry entry, String name) {
        Path dir = AtomicFiles.ensurePrivateDirectory(claims());
        try {
            AtomicFiles.move(entry.file(), dir.resolve(name));
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(dir.resolve(name));
    }

    /** The outbox entry a claim was made from. */
    static String entryName(Path claim) {
        String n = claim.getFileName().toString();
        return n.startsWith(START) ? n.substring(START.length()) : n.startsWith(FOLLOW) ? n.substring(FOLLOW.length()) : n;
    }

    static boolean isStart(Path claim) {
        return claim.getFileName().toString().startsWith(START);
    }

    private Path staged(String entryName) {
        return input().resolve("." + followUpName(entryName) + ".tmp");
    }

    private static String followUpName(String entryName) {
        return (entryName.endsWith(".txt") ? entryName.substring(0, entryName.length() - 4) : entryName) + ".json";
    }

    /** Whether the follow-up of this claim is still staged (the agent has not seen it). */
    boolean staged(Path claim) {
        return Files.exists(staged(entryName(claim)), LinkOption.NOFOLLOW_LINKS);
    }

    /** Makes a claimed follow-up visible to the agent, then drops the claim. */
    void showFollowUp(Path claim) {
        Path staged = staged(entryName(claim));
        if (Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFiles.move(staged, staged.resolveSibling(followUpName(entryName(claim))));
        }
        AtomicFiles.delete(claim);
    }

    /** Puts a claim back into the outbox under its name (so in its place in the order); its staged follow-up goes. */
    void unclaim(Path claim) {
        AtomicFiles.deleteQuietly(staged(entryName(claim)));
        AtomicFiles.ensurePrivateDirectory(outbox());
        AtomicFiles.move(claim, outbox().resolve(entryName(claim)));
    }

    void drop(Path claim) {
        AtomicFiles.delete(claim);
    }

    /** Claims left by an earlier run, oldest reply first. */
    List<Path> claimed() {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(claims())) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(claims(), "{" + START + "," + FOLLOW + "}*")) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw IoCause.wrap("cannot list " + claims(), e);
        }
        out.sort((a, b) -> entryName(a).compareTo(entryName(b)));
        return out;
    }

    /** Whether a reply older than {@code claim} waits in the outbox: then this one must wait behind it. */
    boolean olderWaiting(Path claim, Outbox outbox) {
        String name = entryName(claim);
        return outbox.pending(session).stream().anyMatch(e -> e.name().compareTo(name) < 0);
    }

    /** The outbox entry a container was started with is still queued (a relay older than claims stopped meanwhile). */
    boolean forgetQueued(String entryName) {
        if (entryName == null || !entryName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            return false;
        }
        return AtomicFiles.delete(outbox().resolve(entryName));
    }

    /** Asks the agent to finish (ipc/input/_close). */
    void writeClose() throws IOException {
        Path close = Files.createDirectories(input()).resolve(CLOSE);
        AtomicFiles.writeKeepingMode(close, "", READABLE);
        owner.own(close);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private Path sessionFile() {
        return home.agentSessionFile(session);
    }

    Optional<String> sessionId() {
        Path f = sessionFile();
        String s = Files.exists(f) ? read(f) : null;
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    void saveSessionId(String id) {
        if (!sessionId().equals(Optional.of(id))) {
            AtomicFiles.ensurePrivateDirectory(sessionFile().getParent());
            AtomicFiles.write(sessionFile(), id + "\n");
        }
    }

    void forgetSessionId() {
        AtomicFiles.delete(sessionFile());
    }
}
