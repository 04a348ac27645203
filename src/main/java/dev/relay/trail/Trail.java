package dev.relay.trail;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.files.IoCause;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of every message in and out, {@code state/trail.jsonl}: one JSON line per step of a message's life
 * (queued, taken, answered by whom, held, approved, edited, rejected, dispatched, cancelled), appended and never
 * rewritten. A line is one {@code write} on a file opened for appending, so lines from several processes (the relay,
 * a command cancelling a message) never interleave; it is not synced (a step lost to a power cut is the record's
 * loss, never the message's, whose own files are synced), but a killed process loses nothing it wrote.
 */
public final class Trail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Trail.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /**
     * One step. {@code message} names the message (an envelope's or an operator message's file name without
     * {@code .json}/{@code .txt}); {@code reply} the digest its reply goes under in the outbox, which a dispatch
     * names; {@code by} who did it (the coordinator's model, {@code operator}, {@code cli}, ...).
     */
    public record Step(@JsonProperty("at") String at, @JsonProperty("step") String step,
                       @JsonProperty("message") String message, @JsonProperty("session") String session,
                       @JsonProperty("reply") String reply, @JsonProperty("by") String by,
                       @JsonProperty("text") String text,
                       @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                       @JsonProperty("cost_usd") Double costUsd) {
        public Step(String at, String step, String message, String session, String reply, String by, String text) {
            this(at, step, message, session, reply, by, text, null);
        }

        public Instant instant() {
            return Instant.parse(at);
        }
    }

    /** The name a message goes by in the record: its file's name without the extension (.json, .txt). */
    public static String messageName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private final Path file;
    private FileChannel out;
    private boolean failed;

    public Trail(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** Appends a step; a failure is logged once and never stops the caller (the record is not the message). */
    public synchronized void append(Step step) {
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
                out = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            ByteBuffer line = ByteBuffer.wrap((JSON.writeValueAsString(step) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                out.write(line);
            }
            failed = false;
        } catch (IOException e) {
            if (!failed) {
                LOG.warn("cannot append to {} ({}); the message goes on without its record", file, IoCause.of(e));
            }
            failed = true;
        }
    }

    /** Every step, oldest first; a line that is not whole (a crash mid-write) is skipped. */
    public List<Step> read() {
        List<Step> steps = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    steps.add(JSON.readValue(line, Step.class));
                } catch (IOException e) {
                    // a torn line: skipped
                }
            }
        } catch (NoSuchFileException e) {
            return steps;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + IoCause.of(e), e);
        }
        return steps;
    }

    /** The steps in the last {@code bytes} of the file (a start-up looks back this far, not through months). */
    public List<Step> tail(long bytes) {
        List<Step> steps = new ArrayList<>();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long from = Math.max(0, in.size() - bytes);
            ByteBuffer buf = ByteBuffer.allocate((int) (in.size() - from));
            while (buf.hasRemaining() && in.read(buf, from + buf.position()) >= 0) {
                // read it all
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            String[] lines = text.split("\n");
            for (int i = from > 0 ? 1 : 0; i < lines.length; i++) {   // the first may be cut: skipped
                try {
                    steps.add(JSON.readValue(lines[i], Step.class));
                } catch (IOException e) {
                    // a torn line: skipped
                }
            }
        } catch (NoSuchFileException e) {
            return steps;
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", file, IoCause.of(e));
        }
        return steps;
    }

    /**
     * The steps of one message, oldest first: those naming it, and the dispatches of its replies (by their digest). A
     * message is named by its full name or any unique start of it.
     */
    public static List<Step> of(List<Step> all, String id) {
        Set<String> names = new LinkedHashSet<>();
        for (Step s : all) {
            if (s.message() != null && (s.message().equals(id) || s.message().startsWith(id))) {
                names.add(s.message());
            }
        }
        String name = names.contains(id) ? id : names.size() == 1 ? names.iterator().next() : null;
        if (name == null) {
            return List.of();
        }
        Set<String> replies = new LinkedHashSet<>();
        for (Step s : all) {
            if (name.equals(s.message()) && s.reply() != null) {
                replies.add(s.reply());
            }
        }
        List<Step> out = new ArrayList<>();
        for (Step s : all) {
            if (name.equals(s.message()) || s.message() == null && s.reply() != null && replies.contains(s.reply())) {
                out.add(s);
            }
        }
        return out;
    }

    /** The names the id could mean, when it is a start of more than one. */
    public static Set<String> candidates(List<Step> all, String id) {
        Set<String> names = new LinkedHashSet<>();
        for (Step s : all) {
            if (s.message() != null && s.message().startsWith(id)) {
                names.add(s.message());
            }
        }
        return names;
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // closing a file only appended to loses nothing
            }
            out = null;
        }
    }
}
