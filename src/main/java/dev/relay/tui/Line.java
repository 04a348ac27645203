package dev.relay.tui;

import java.util.ArrayList;
import java.util.List;

/** One line of a pane: spans of text, each with a {@link Style}. Text is already made safe for a terminal. */
public record Line(List<Span> spans) {
    public record Span(String text, Style style) {}

    public static final Line EMPTY = new Line(List.of());

    public Line {
        spans = List.copyOf(spans);
    }

    public static Line of(Style style, String text) {
        return new Line(List.of(new Span(Text.safe(text), style)));
    }

    public static Line of(String text) {
        return of(Style.NORMAL, text);
    }

    public Line then(Style style, String text) {
        List<Span> more = new ArrayList<>(spans);
        more.add(new Span(Text.safe(text), style));
        return new Line(more);
    }

    public String text() {
        StringBuilder b = new StringBuilder();
        spans.forEach(s -> b.append(s.text()));
        return b.toString();
    }
}
