package dev.relay.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A message given as words on the command line, a file (--file F), or standard input (-). */
final class TextSource {
    private TextSource() {}

    static String read(List<String> words, Path file, InputStream stdin) {
        boolean fromStdin = words != null && words.size() == 1 && words.get(0).equals("-");
        int given = (words != null && !words.isEmpty() ? 1 : 0) + (file != null ? 1 : 0);
        if (given != 1) {
            throw new UserException("give the message as TEXT, --file F, or - for standard input (exactly one of them)",
                    ExitCodes.USAGE);
        }
        try {
            String text;
            if (file != null) {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } else if (fromStdin) {
                text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            } else {
                text = String.join(" ", words);
            }
            if (text.isBlank()) {
                throw new UserException("the message is empty", ExitCodes.USAGE);
            }
            return text;
        } catch (IOException e) {
            throw new UserException("cannot read " + (file != null ? file : "standard input") + ": " + e.getMessage());
        }
    }
}
