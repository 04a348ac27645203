package dev.relay.permissions;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rule of {@code permissions.rules}, in Claude Code's own rule syntax: a tool name ({@code Bash}, {@code Edit},
 * {@code mcp__github}) or a tool with a specifier over its input: {@code Bash(npm test:*)} (a command and its
 * arguments), {@code Bash(git * main)} (wildcards), {@code Edit(src/**)} (a gitignore-style path, relative to the
 * session's project), {@code WebFetch(domain:example.com)}. A Bash rule knows shell operators: an allow rule matches
 * a compound command only if it matches every part, a deny or ask rule if it matches any part.
 */
public record PermissionRule(Decision decision, String tool, Optional<String> specifier, Optional<String> session,
                             String text) {
    /** What a rule decides. */
    public enum Decision {
        ALLOW, DENY, ASK;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Pattern RULE = Pattern.compile("([A-Za-z][A-Za-z0-9_]*)(?:\\((.*)\\))?");
    private static final Pattern OPERATORS = Pattern.compile("\\s*(?:&&|\\|\\||;|\\||\\n)\\s*");
    private static final List<String> PATH_TOOLS = List.of("Edit", "Write", "MultiEdit", "Read", "NotebookEdit",
            "Glob", "Grep");

    /** Parses {@code text}; throws with what is wrong and how it should look. */
    public static PermissionRule parse(Decision decision, String text, Optional<String> session) {
        String t = text == null ? "" : text.strip();
        Matcher m = RULE.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a rule: write a tool name, or a tool and a pattern"
                    + " over its input, such as Bash(npm test:*), Edit(src/**) or WebFetch(domain:example.com)");
        }
        String tool = m.group(1);
        Optional<String> spec = Optional.ofNullable(m.group(2)).map(String::strip);
        if (spec.isPresent() && spec.get().isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\" has empty parentheses: drop them to match every use of "
                    + tool + ", or put a pattern in them");
        }
        if (spec.isPresent() && !tool.equals("Bash") && !PATH_TOOLS.contains(tool) && !tool.equals("WebFetch")) {
            throw new IllegalArgumentException("\"" + text + "\": Relay checks patterns for Bash, file tools (Edit, Write,"
                    + " Read, ...) and WebFetch only; for " + tool + " give the tool name alone");
        }
        if (spec.isPresent() && tool.equals("WebFetch") && !spec.get().startsWith("domain:")) {
            throw new IllegalArgumentException("\"" + text + "\": a WebFetch rule names a domain: WebFetch(domain:example.com)");
        }
        if (spec.isPresent() && tool.equals("Bash") && spec.get().endsWith(":*") && spec.get().length() == 2) {
            throw new IllegalArgumentException("\"" + text + "\": a prefix rule needs its prefix: Bash(npm test:*)");
        }
        return new PermissionRule(decision, tool, spec, session, t);
    }

    /**
     * Whether the rule covers this use of a tool: {@code input} is the hook's {@code tool_input}, {@code cwd} the
     * session's project directory (file patterns are relative to it), {@code session} the Relay session asking.
     */
    public boolean matches(String session, String toolName, JsonNode input, Path cwd) {
        if (this.session.isPresent() && !this.session.get().equals(session)) {
            return false;
        }
        if (!toolMatches(toolName)) {
            return false;
        }
        if (specifier.isEmpty()) {
            return true;
        }
        String spec = specifier.get();
        return switch (tool) {
            case "Bash" -> bash(spec, input.path("command").asText(""));
            case "WebFetch" -> domain(spec.substring("domain:".length()), input.path("url").asText(""));
            default -> path(spec, filePath(input), cwd);
        };
    }

    private boolean toolMatches(String toolName) {
        if (tool.startsWith("mcp__") && !tool.substring(5).contains("__")) {
            return toolName.equals(tool) || toolName.startsWith(tool + "__");   // a whole MCP server
        }
        return tool.equals(toolName);
    }

    private boolean bash(String spec, String command) {
        List<String> parts = new ArrayList<>();
        for (String p : OPERATORS.split(command.strip())) {
            if (!p.isBlank()) {
                parts.add(p.strip());
            }
        }
        if (parts.isEmpty()) {
            return false;
        }
        boolean every = parts.stream().allMatch(p -> commandMatches(spec, p));
        boolean any = parts.stream().anyMatch(p -> commandMatches(spec, p));
        return decision == Decision.ALLOW ? every : any;
    }

    /** {@code prefix:*}: the command or the command and arguments; {@code *}: any characters; else the whole command. */
    static boolean commandMatches(String spec, String command) {
        if (spec.endsWith(":*")) {
            String prefix = spec.substring(0, spec.length() - 2).strip();
            return command.equals(prefix) || command.startsWith(prefix + " ");
        }
        if (!spec.contains("*")) {
            return command.equals(spec);
        }
        String glob = spec;
        boolean optionalTail = spec.endsWith(" *") && spec.indexOf('*') == spec.length() - 1;
        if (optionalTail && command.equals(spec.substring(0, spec.length() - 2))) {
            return true;   // `ls *` covers `ls` alone too
        }
        StringBuilder regex = new StringBuilder();
        for (String piece : glob.split("\\*", -1)) {
            if (regex.length() > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(piece));
        }
        return command.matches("(?s)" + regex);
    }

    private static String filePath(JsonNode input) {
        for (String field : List.of("file_path", "notebook_path", "path")) {
            if (input.hasNonNull(field)) {
                return input.get(field).asText();
            }
        }
        return "";
    }

    /** A gitignore-style pattern: relative to the project, {@code /x} from its root, {@code //x} absolute, {@code ~/x}. */
    private static boolean path(String spec, String file, Path cwd) {
        if (file.isEmpty()) {
            return false;
        }
        Path project = cwd.toAbsolutePath().normalize();
        Path target = project.resolve(file).normalize();
        String pattern;
        if (spec.startsWith("//")) {
            pattern = spec.substring(1);
        } else if (spec.startsWith("~/")) {
            pattern = System.getProperty("user.home") + spec.substring(1);
        } else if (spec.startsWith("/")) {
            pattern = project + spec;
        } else if (!spec.contains("/")) {
            pattern = project + "/**/" + spec;   // a bare name matches at any depth, as in .gitignore
            PathMatcher top = FileSystems.getDefault().getPathMatcher("glob:" + project + "/" + spec);
            if (top.matches(target)) {
                return true;
            }
        } else {
            pattern = project + "/" + (spec.startsWith("./") ? spec.substring(2) : spec);
        }
        if (pattern.endsWith("/**")) {
            PathMatcher dir = FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(0, pattern.length() - 3));
            if (dir.matches(target)) {
                return true;
            }
        }
        return FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(target);
    }

    private static boolean domain(String domain, String url) {
        try {
            String host = URI.create(url).getHost();
            return host != null && (host.equalsIgnoreCase(domain) || host.toLowerCase(Locale.ROOT).endsWith("." + domain.toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
