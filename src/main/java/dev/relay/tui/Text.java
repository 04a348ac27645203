package dev.relay.tui;

import com.googlecode.lanterna.TerminalTextUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Text made safe for a terminal, wrapped and cut to columns, and short human forms of ages and sizes. */
public final class Text {
    private static final Pattern ANSI = Pattern.compile("\u001B(?:\\[[0-?]*[ -/]*[@-~]|\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)?|[@-Z\\\\-_])");

    private Text() {}

    /**
     * Agents and models write anything: escape sequences are removed and other control characters shown as '·', so
     * that no text can move the cursor, change colours or retitle the operator's terminal.
     */
    public static String safe(String s) {
        if (s == null) {
            return "";
        }
        String t = s.indexOf('\u001B') >= 0 ? ANSI.matcher(s).replaceAll("") : s;
        StringBuilder b = null;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
            if (control || c == '\t') {
                if (b == null) {
                    b = new StringBuilder(t.length() + 8);
                    b.append(t, 0, i);
                }
                b.append(c == '\t' ? "    " : "·");
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? t : b.toString();
    }

    public static int columns(String s) {
        return TerminalTextUtils.getColumnWidth(s);
    }

    /** Cuts {@code s} to at most {@code width} columns, ending with '…' when something was cut. */
    public static String fit(String s, int width) {
        if (width <= 0) {
            return "";
        }
        if (columns(s) <= width) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int used = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int w = TerminalTextUtils.isCharDoubleWidth((char) cp) ? 2 : 1;
            if (used + w > width - 1) {
                break;
            }
            b.appendCodePoint(cp);
            used += w;
            i += Character.charCount(cp);
        }
        return b.append('…').toString();
    }

    /** Word-wraps one paragraph (no newlines) to {@code width} columns; words longer than a line are broken. */
    public static List<String> wrap(String paragraph, int width) {
        List<String> out = new ArrayList<>();
        if (width <= 0) {
            return out;
        }
        String p = safe(paragraph);
        if (columns(p) <= width) {
            out.add(p);
            return out;
        }
        StringBuilder line = new StringBuilder();
        int used = 0;
        for (String word : p.split(" ", -1)) {
            int w = columns(word);
            if (used > 0 && used + 1 + w <= width) {
                line.append(' ').append(word);
                used += 1 + w;
                continue;
            }
            if (used > 0) {
                out.add(line.toString());
                line.setLength(0);
                used = 0;
            }
            while (w > width) {
                int cut = cutIndex(word, width);
                out.add(word.substring(0, cut));
                word = word.substring(cut);
                w = columns(word);
            }
            line.append(word);
            used = w;
        }
        out.add(line.toString());
        return out;
    }

    /** Wraps text with newlines: each line of the text wrapped on its own. */
    public static List<String> wrapText(String text, int width) {
        List<String> out = new ArrayList<>();
        for (String para : text.split("\r?\n", -1)) {
            out.addAll(wrap(para, width));
        }
        while (out.size() > 1 && out.get(out.size() - 1).isBlank()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static int cutIndex(String word, int width) {
        int used = 0;
        for (int i = 0; i < word.length(); i++) {
            int w = TerminalTextUtils.isCharDoubleWidth(word.charAt(i)) ? 2 : 1;
            if (used + w > width) {
                return Math.max(1, i);
            }
            used += w;
        }
        return word.length();
    }

    /** 5s, 3m, 2h, 4d. */
    public static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86400) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    /** 512B, 3.4K, 1.2M. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        if (n < 1024 * 1024) {
            return String.format("%.1fK", n / 1024.0);
        }
        return String.format("%.1fM", n / (1024.0 * 1024));
    }

    /** 950, 12.3k, 4.5M. */
    public static String count(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        if (n < 1_000_000) {
            return String.format("%.1fk", n / 1000.0);
        }
        return String.format("%.1fM", n / 1_000_000.0);
    }
}
