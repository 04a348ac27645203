package dev.relay.tui;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A small multi-line text buffer with a cursor, for the override editor and the attach input line. */
public final class TextEditor {
    private final List<StringBuilder> lines = new ArrayList<>();
    private int row;
    private int col;

    public TextEditor() {
        clear();
    }

    public void clear() {
        lines.clear();
        lines.add(new StringBuilder());
        row = 0;
        col = 0;
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                b.append('\n');
            }
            b.append(lines.get(i));
        }
        return b.toString();
    }

    public void setText(String text) {
        clear();
        for (char c : text.toCharArray()) {
            if (c == '\n') {
                newline();
            } else {
                insert(c);
            }
        }
    }

    public List<String> lines() {
        return lines.stream().map(StringBuilder::toString).toList();
    }

    public int row() {
        return row;
    }

    public int col() {
        return col;
    }

    public boolean isBlank() {
        return text().isBlank();
    }

    public void insert(char c) {
        lines.get(row).insert(col, c);
        col++;
    }

    public void insert(String s) {
        for (char c : s.toCharArray()) {
            insert(c);
        }
    }

    public void newline() {
        StringBuilder cur = lines.get(row);
        StringBuilder rest = new StringBuilder(cur.substring(col));
        cur.setLength(col);
        lines.add(row + 1, rest);
        row++;
        col = 0;
    }

    public void backspace() {
        if (col > 0) {
            lines.get(row).deleteCharAt(col - 1);
            col--;
        } else if (row > 0) {
            StringBuilder cur = lines.remove(row);
            row--;
            col = lines.get(row).length();
            lines.get(row).append(cur);
        }
    }

    public void delete() {
        StringBuilder cur = lines.get(row);
        if (col < cur.length()) {
            cur.deleteCharAt(col);
        } else if (row < lines.size() - 1) {
            cur.append(lines.remove(row + 1));
        }
    }

    /** The character just before the cursor on its line, or 0. */
    public char before() {
        return col > 0 ? lines.get(row).charAt(col - 1) : 0;
    }

    public void left() {
        if (col > 0) {
            col--;
        } else if (row > 0) {
            row--;
            col = lines.get(row).length();
        }
    }

    public void right() {
        if (col < lines.get(row).length()) {
            col++;
        } else if (row < lines.size() - 1) {
            row++;
            col = 0;
        }
    }

    public void up() {
        if (row > 0) {
            row--;
            col = Math.min(col, lines.get(row).length());
        }
    }

    public void down() {
        if (row < lines.size() - 1) {
            row++;
            col = Math.min(col, lines.get(row).length());
        }
    }

    public void home() {
        col = 0;
    }

    public void end() {
        col = lines.get(row).length();
    }

    /**
     * The session prefix being typed when the text starts with '@' and the cursor is still in that first word
     * ("@s" with the cursor after it gives "s"); empty otherwise.
     */
    public Optional<String> sessionPrefix() {
        String first = lines.get(0).toString();
        if (row != 0 || !first.startsWith("@")) {
            return Optional.empty();
        }
        int end = 1;
        while (end < first.length() && isIdChar(first.charAt(end))) {
            end++;
        }
        if (col < 1 || col > end) {
            return Optional.empty();
        }
        return Optional.of(first.substring(1, end));
    }

    /** Replaces the "@prefix" first word (and a colon after it) with {@code replacement}, cursor after it. */
    public void replaceFirstWord(String replacement) {
        StringBuilder first = lines.get(0);
        int end = 1;
        while (end < first.length() && isIdChar(first.charAt(end))) {
            end++;
        }
        if (end < first.length() && first.charAt(end) == ':') {
            end++;
            while (end < first.length() && first.charAt(end) == ' ') {
                end++;
            }
        }
        first.replace(0, end, replacement);
        row = 0;
        col = replacement.length();
    }

    private static boolean isIdChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }
}
