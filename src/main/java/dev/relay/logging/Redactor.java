package dev.relay.logging;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/** Masks API keys and tokens in log lines: the known secret values, and anything shaped like an Anthropic key. */
public final class Redactor {
    private static final Pattern KEY_SHAPE = Pattern.compile("sk-ant-[A-Za-z0-9_\\-]{8,}");
    private static final Set<String> SECRETS = new CopyOnWriteArraySet<>();

    private Redactor() {}

    public static void addSecret(String value) {
        if (value != null && value.length() >= 8) {
            SECRETS.add(value);
        }
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : SECRETS) {
            if (out.contains(s)) {
                out = out.replace(s, "***");
            }
        }
        return KEY_SHAPE.matcher(out).replaceAll("sk-ant-***");
    }
}
