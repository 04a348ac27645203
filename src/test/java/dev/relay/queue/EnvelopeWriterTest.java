package dev.relay.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.core.SessionId;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeWriterTest {
    @TempDir
    Path dir;

    @Test
    void envelopes_written_back_to_back_keep_their_order_in_the_queue() {
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < 200; i++) {   // many within one millisecond, and within one file-time tick
            written.add(EnvelopeWriter.write(dir, SessionId.of("s1"), "report " + i, Optional.empty()));
        }
        List<Path> listed = new QueueDirectory(dir, Long.MAX_VALUE, Clock.systemUTC()).list().stream()
                .map(QueueDirectory.Entry::file).toList();
        assertEquals(written, listed);
    }
}
