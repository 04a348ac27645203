package dev.relay.monitor;

import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * state/status.json: the relay's status, and whether a relay is live (its process alive, looked at once a second, and
 * its heartbeat younger than {@link StatusFile#STALE_AFTER}).
 */
final class StatusWatch {
    private final Path file;
    private Stamp stamp = Stamp.NONE;
    private Optional<Status> status = Optional.empty();
    private String bodyWithoutHeartbeat = "";
    private Instant heartbeat;
    private boolean live;
    private Instant lastPidCheck = Instant.EPOCH;
    private Optional<Long> checkedPid = Optional.empty();
    private boolean pidAlive;

    StatusWatch(Path file) {
        this.file = file;
    }

    /** Looks at the file; returns whether the status or the liveness changed. */
    boolean poll(Instant now) {
        Stamp s = Stamp.of(file);
        boolean changed = false;
        if (!s.equals(stamp)) {
            stamp = s;
            changed = read(s);
        }
        if (Duration.between(lastPidCheck, now).toMillis() >= 1000 || !status.map(Status::pid).equals(checkedPid)) {
            lastPidCheck = now;
            checkedPid = status.map(Status::pid);
            pidAlive = status.map(st -> isAlive(st.pid())).orElse(false);
        }
        boolean nowLive = pidAlive && heartbeat != null
                && Duration.between(heartbeat, now).compareTo(StatusFile.STALE_AFTER) < 0;
        if (nowLive != live) {
            live = nowLive;
            changed = true;
        }
        return changed;
    }

    Optional<Status> status() {
        return status;
    }

    boolean live() {
        return live;
    }

    /**
     * The relay rewrites status.json every second for its heartbeat alone: that is found in the text and the rest
     * compared, so the file is parsed (and the screen redrawn) only when something else in it changed.
     */
    private boolean read(Stamp s) {
        if (s == Stamp.NONE) {
            boolean had = status.isPresent();
            status = Optional.empty();
            bodyWithoutHeartbeat = "";
            heartbeat = null;
            return had;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return false;   // replaced while we read it: the next poll sees the new one
        }
        int key = text.indexOf("\"heartbeat_at\"");
        int open = key < 0 ? -1 : text.indexOf('"', text.indexOf(':', key) + 1);
        int close = open < 0 ? -1 : text.indexOf('"', open + 1);
        String body = close < 0 ? text : text.substring(0, open) + text.substring(close + 1);
        Instant beat = null;
        if (close > 0) {
            try {
                beat = Instant.parse(text.substring(open + 1, close));
            } catch (RuntimeException e) {
                beat = null;
            }
        }
        if (body.equals(bodyWithoutHeartbeat) && status.isPresent()) {
            heartbeat = beat;
            return false;
        }
        Optional<Status> parsed = StatusFile.parse(text);
        if (parsed.isEmpty()) {
            return false;
        }
        bodyWithoutHeartbeat = body;
        heartbeat = beat;
        status = parsed;
        return true;
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
