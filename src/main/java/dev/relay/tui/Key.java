package dev.relay.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.Locale;

/** A key as the bindings name it: a character (with Ctrl or Alt) or a special key. Two equal keys are one binding. */
public record Key(KeyType type, Character character, boolean ctrl, boolean alt) {
    public static Key ch(char c) {
        return new Key(KeyType.Character, c, false, false);
    }

    public static Key ctrl(char c) {
        return new Key(KeyType.Character, Character.toLowerCase(c), true, false);
    }

    public static Key of(KeyType type) {
        return new Key(type, null, false, false);
    }

    public static Key alt(KeyType type) {
        return new Key(type, null, false, true);
    }

    /** The key of a key stroke; Shift is part of the character (or of ReverseTab) and is not kept apart. */
    public static Key from(KeyStroke k) {
        if (k.getKeyType() == KeyType.Character) {
            char c = k.getCharacter();
            // Alt-Enter arrives as ESC and CR, which the tty turns into LF: lanterna reads Ctrl-Alt-J (or the raw CR/LF)
            boolean lineEnd = c == '\r' || c == '\n' || (k.isCtrlDown() && (c == 'j' || c == 'm' || c == 'J' || c == 'M'));
            if (lineEnd) {
                return new Key(KeyType.Enter, null, false, k.isAltDown());
            }
            return new Key(KeyType.Character, k.isCtrlDown() ? Character.toLowerCase(c) : c, k.isCtrlDown(), k.isAltDown());
        }
        return new Key(k.getKeyType(), null, k.isCtrlDown(), k.isAltDown());
    }

    /** How the footer and the help name it: o, Ctrl-C, Tab, Shift-Tab, PgUp. */
    public String label() {
        String base;
        if (type == KeyType.Character) {
            base = ctrl ? Character.toString(Character.toUpperCase(character)) : character.toString();
        } else {
            base = switch (type) {
                case ReverseTab -> "Shift-Tab";
                case ArrowUp -> "↑";
                case ArrowDown -> "↓";
                case ArrowLeft -> "←";
                case ArrowRight -> "→";
                case PageUp -> "PgUp";
                case PageDown -> "PgDn";
                case Escape -> "Esc";
                default -> type.name();
            };
        }
        return (ctrl ? "Ctrl-" : "") + (alt ? "Alt-" : "") + base;
    }

    @Override
    public String toString() {
        return label().toLowerCase(Locale.ROOT);
    }
}
