package dev.relay.config;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code container.env}: plain variables for agent containers (a gateway's base URL, a proxy). Secrets never: they
 * go in .env, and an agent gets only its credential; a name that looks like one is refused.
 */
final class ContainerEnv {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // AUTH, but not the AUTHOR of GIT_AUTHOR_NAME (AUTHORIZATION still counts)
    private static final Pattern LOOKS_SECRET = Pattern.compile(
            "KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|COOKIE|HEADERS|AUTH(?!OR(?!I))");
    /** Set by the relay itself: the agent's sessions live under HOME; RELAY_AGENT_ENV lists these variables. */
    static final Set<String> RESERVED = Set.of("HOME", "RELAY_AGENT_ENV");

    private ContainerEnv() {}

    /** The variables in name order, or a {@link BadVariable} for the first that cannot be given to an agent. */
    static Map<String, String> check(Map<String, String> env) {
        if (env == null) {
            return Map.of();
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!NAME.matcher(name).matches()) {
                throw new BadVariable(name, "is not a variable name: letters, digits and _, not starting with a digit");
            }
            Matcher secret = LOOKS_SECRET.matcher(name.toUpperCase(Locale.ROOT));
            if (secret.find()) {
                throw new BadVariable(name, "looks like a secret (its name contains " + secret.group() + "): secrets go in .env,"
                        + " never in config.yaml, and an agent gets only its credential (CLAUDE_CODE_OAUTH_TOKEN or"
                        + " AGENT_ANTHROPIC_API_KEY)");
            }
            if (RESERVED.contains(name)) {
                throw new BadVariable(name, "is set by the relay itself");
            }
            if (e.getValue() == null) {
                throw new BadVariable(name, "has no value (an empty one is written \"\")");
            }
        }
        return Collections.unmodifiableMap(new TreeMap<>(env));
    }

    /** One variable refused; the loader reports it at the variable's own line, within its block. */
    static final class BadVariable extends IllegalArgumentException {
        final String name;
        final String problem;

        BadVariable(String name, String problem) {
            super("env variable \"" + name + "\" " + problem);
            this.name = name;
            this.problem = problem;
        }
    }
}
