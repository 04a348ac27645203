package dev.relay.monitor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one-line previews the console shows of a message: an envelope, a waiting reply, the pending override. */
final class Previews {
    static final int PREVIEW_CHARS = 160;

    private Previews() {}

    /** The text on one line, white space folded, cut with an ellipsis. */
    static String preview(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= PREVIEW_CHARS ? flat : flat.substring(0, PREVIEW_CHARS - 1) + "…";
    }

    /** The preview of a file's first 4 KiB; empty when it cannot be read (taken meanwhile). */
    static String ofFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return preview(new String(in.readNBytes(4096), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "";
        }
    }
}
