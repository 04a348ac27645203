package dev.relay.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a batched user turn as the README documents its layout: a header line, then each report under its own. */
public final class BatchLayout {
    public record Report(String session, String at, String text) {}

    private static final Pattern HEADER = Pattern.compile("^\\[session ([^,\\]]+), reported ([^\\]]+)\\]$", Pattern.MULTILINE);

    private BatchLayout() {}

    public static List<Report> reports(String turn) {
        List<Report> out = new ArrayList<>();
        Matcher m = HEADER.matcher(turn);
        List<int[]> spans = new ArrayList<>();
        List<String[]> heads = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
            heads.add(new String[] {m.group(1), m.group(2)});
        }
        for (int i = 0; i < spans.size(); i++) {
            int from = spans.get(i)[1] + 1;
            int to = i + 1 < spans.size() ? spans.get(i + 1)[0] - 2 : turn.length();
            out.add(new Report(heads.get(i)[0], heads.get(i)[1], turn.substring(Math.min(from, to), to)));
        }
        return out;
    }
}
