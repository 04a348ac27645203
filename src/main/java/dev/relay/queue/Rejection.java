package dev.relay.queue;

import java.nio.file.Path;
import java.time.Instant;

/** An envelope moved to queue/.rejected/, with the one-line reason written beside it. */
public record Rejection(String name, Path movedTo, String reason, Instant at) {}
