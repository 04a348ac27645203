package dev.relay.claude;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Claude Code sessions whose last turn ended on an API error (a StopFailure hook), as the relay shows them, and
 * the one notification per run of failures: a run is its {@code since}, and a turn that ends well ends it.
 */
public final class SessionFailures {
    private SessionFailures() {}

    /** Every session whose record holds a failure, by session. */
    public static Map<SessionId, SessionRecord.Failure> scan(Home home) {
        Map<SessionId, SessionRecord.Failure> out = new TreeMap<>();
        Path dir = home.claudeDir();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : stream) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - ".json".length());
                if (!SessionId.isValid(id)) {
                    continue;
                }
                SessionRecord.Failure failure = SessionRecord.read(f).failure();
                if (failure != null) {
                    out.put(SessionId.of(id), failure);
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** True once per run of failures (and records that it was told), false after. */
    public static boolean firstNotice(Home home, SessionId session, SessionRecord.Failure failure) {
        Path marker = home.claudeNotifiedFile(session);
        try {
            if (Files.exists(marker) && Files.readString(marker, StandardCharsets.UTF_8).strip().equals(failure.since())) {
                return false;
            }
        } catch (IOException e) {
            // unreadable: tell again rather than never
        }
        AtomicFiles.write(marker, failure.since());
        return true;
    }
}
