package dev.relay.claude;

import dev.relay.core.Home;

/**
 * The command Claude Code runs for Relay's hooks: a small POSIX shell script in the home that hands the hook's input
 * to the running relay's loopback endpoint with curl (no JVM to start: a stop costs milliseconds), and runs Relay
 * itself ({@code relay hook EVENT}) when no relay answers there, so that a stop with no relay running still files its
 * report. Its endpoint and token are files the relay writes when it starts (state/hooks/, 0600); the script holds no
 * secret.
 */
public final class HookScript {
    private HookScript() {}

    /** The script text; {@code launcher} is how to run this Relay (its java and classpath, or the user's command). */
    public static String text(Home home, String launcher) {
        String h = quote(home.root().toString());
        return """
                #!/bin/sh
                # Relay's Claude Code hooks for the relay home %1$s.
                # Written by `relay hook install` (each install rewrites it); Claude Code runs it as
                #   claude-hook.sh stop|session-start|stop-failure|permission-request SESSION [WAIT_SECONDS]
                # It asks the running relay through its loopback endpoint; when none answers there, it runs Relay.
                home=%1$s
                event=$1 session=$2 wait=${3:-600}
                input=$(cat)
                endpoint="$home/state/hooks/endpoint"
                if [ -r "$endpoint" ] && command -v curl >/dev/null 2>&1; then
                  url=$(cat "$endpoint" 2>/dev/null)
                  output=$(printf '%%s' "$input" | curl -sS --fail --max-time $((wait + 20)) \\
                    -H @"$home/state/hooks/curl-headers" -H 'Content-Type: application/json' \\
                    -H "X-Claude-Block-Cap: ${CLAUDE_CODE_STOP_HOOK_BLOCK_CAP:-}" \\
                    --data-binary @- "$url/claude/$event?session=$session&wait=$wait" 2>/dev/null)
                  status=$?
                  case $status in
                    0) [ -n "$output" ] && printf '%%s\\n' "$output"; exit 0 ;;
                    7|22) ;;  # nothing listens there, or it refused before doing anything: run Relay itself
                    *) echo "relay hook: the relay did not answer (curl exit $status); Claude Code goes on as without the hook" >&2
                       exit 0 ;;
                  esac
                fi
                # a permission prompt with no relay running: no decision, Claude Code does as without the hook
                [ "$event" = permission-request ] && exit 0
                printf '%%s' "$input" | exec %2$s --home "$home" hook "$event" --session "$session" --wait "$wait"
                """.formatted(h, launcher);
    }

    /** The command for one event, as it stands in .claude/settings.json. */
    public static String command(Home home, String event, String session, Integer waitSeconds) {
        return "sh " + quote(home.hookScript().toString()) + " " + event + " " + session + (waitSeconds != null ? " " + waitSeconds : "");
    }

    /** Whether a settings command is one of ours for this home and session (or the single Stop hook of Relay 0.1). */
    public static boolean isOurs(String command, Home home, String session) {
        if (command == null) {
            return false;
        }
        String script = quote(home.hookScript().toString());
        if (command.contains(script)) {
            String rest = command.substring(command.indexOf(script) + script.length()) + " ";
            return rest.matches(" [a-z-]+ " + java.util.regex.Pattern.quote(session) + " .*");
        }
        return command.contains(" --home " + quote(home.root().toString()) + " hook stop --session " + session + " --wait ");
    }

    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
