package dev.relay.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.relay.core.Home;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Merges defaults &lt; config.yaml &lt; .env &lt; process environment &lt; command-line flags (CONTRACT section 3).
 * Flags are passed under the environment variable's name, e.g. {@code RELAY_MODEL}.
 */
public final class ConfigLoader {
    private static Settings.AgentSettings agentSettings(ConfigFile.Agents agents, ConfigFile.ContainerDefaults container) {
        Settings.AgentSettings d = Settings.AgentSettings.DEFAULT;
        ConfigFile.Agents a = agents != null ? agents : new ConfigFile.Agents(null, null, null, null, null, null);
        return new Settings.AgentSettings(
                a.maxConcurrent() != null ? a.maxConcurrent() : d.maxConcurrent(),
                a.idleTimeoutS() != null ? java.time.Duration.ofSeconds(a.idleTimeoutS()) : d.idleTimeout(),
                a.maxRunS() != null ? java.time.Duration.ofSeconds(a.maxRunS()) : d.maxRun(),
                a.stopGraceS() != null ? java.time.Duration.ofSeconds(a.stopGraceS()) : d.stopGrace(),
                a.mountAllowlist() == null ? List.of() : a.mountAllowlist().stream().map(java.nio.file.Path::of).toList(),
                a.shareCoordinatorKey() != null ? a.shareCoordinatorKey() : d.shareCoordinatorKey(),
                container != null ? container.env() : d.env());
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Map<String, String> environment;
    private final Map<String, String> flags;

    public ConfigLoader(Map<String, String> environment, Map<String, String> flags) {
        this.environment = Map.copyOf(environment);
        this.flags = Map.copyOf(flags);
    }

    public static ConfigLoader fromProcess(Map<String, String> flags) {
        return new ConfigLoader(System.getenv(), flags);
    }

    /**
     * Loads the settings of {@code home}.
     *
     * @param persistTopic when no ntfy topic is set anywhere, generate one and write it to .env
     */
    public Settings load(Home home, boolean persistTopic) {
        ConfigFile file = readConfigFile(home.configFile());
        Map<String, String> dotEnv = EnvFile.read(home.envFile());
        Map<String, String> vars = new HashMap<>(dotEnv);
        environment.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                vars.put(k, v);
            }
        });
        flags.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                vars.put(k, v);
            }
        });

        ConfigFile.Anthropic anthropic = file.anthropic();
        ConfigFile.Ntfy ntfy = file.ntfy();
        ConfigFile.Tracker tracker = file.tracker();

        String baseUrl = checkedUrl("ANTHROPIC_BASE_URL", first(vars.get("ANTHROPIC_BASE_URL"),
                anthropic == null ? null : anthropic.baseUrl(), "https://api.anthropic.com"));
        String ntfyServer = checkedUrl("NTFY_SERVER", first(vars.get("NTFY_SERVER"), ntfy == null ? null : ntfy.server(),
                "https://ntfy.sh"));
        String topic = first(vars.get("NTFY_TOPIC"), ntfy == null ? null : ntfy.topic(), null);
        if (topic == null && persistTopic) {
            topic = generateTopic();
            EnvFile.put(home.envFile(), "NTFY_TOPIC", topic);
        }
        String replyTopic = first(vars.get("NTFY_REPLY_TOPIC"), ntfy == null ? null : ntfy.replyTopic(), null);
        if (replyTopic == null && persistTopic) {
            replyTopic = generateTopic();
            EnvFile.put(home.envFile(), "NTFY_REPLY_TOPIC", replyTopic);
        }
        if (replyTopic != null && replyTopic.equals(topic)) {
            throw new ConfigException(home.configFile(), 0, "ntfy.reply_topic must differ from ntfy.topic (" + topic
                    + "): the relay would read its own notifications as answers");
        }
        Optional<String> trackerUrl = Optional.ofNullable(first(vars.get("TRACKER_URL"),
                tracker == null ? null : tracker.url(), null)).map(u -> checkedUrl("TRACKER_URL", u));

        Secrets secrets = new Secrets(secret(vars, "ANTHROPIC_API_KEY"), secret(vars, "NTFY_TOKEN"),
                secret(vars, "TRACKER_TOKEN"), secret(vars, "CLAUDE_CODE_OAUTH_TOKEN"), secret(vars, "AGENT_ANTHROPIC_API_KEY"));

        String systemPrompt = file.systemPrompt();
        if (file.systemPromptFile() != null) {
            Path promptFile = home.root().resolve(file.systemPromptFile());
            try {
                systemPrompt = Files.readString(promptFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException(home.configFile(), 0,
                        "system_prompt_file " + promptFile + " cannot be read: " + e.getMessage());
            }
        }

        return new Settings(
                home,
                first(vars.get("RELAY_MODEL"), file.model(), Settings.DEFAULT_MODEL),
                orDefault(file.maxTokens(), 8192),
                systemPrompt != null ? systemPrompt : resource("coordinator-prompt.md"),
                file.summarizationPrompt() != null ? file.summarizationPrompt() : resource("summarization-prompt.md"),
                orDefault(file.historyCharCap(), 400_000),
                orDefault(file.keepRecentTurns(), 10),
                first(file.needsJcToken(), "[NEEDS-JC]"),
                orDefault(file.needsJcScanChars(), 200),
                Duration.ofSeconds(orDefault(file.stuckQueueThresholdS(), 600)),
                file.maxEnvelopeBytes() != null ? file.maxEnvelopeBytes() : 1_048_576L,
                !"off".equals(file.historyCache()),
                file.sessions() != null ? file.sessions() : List.of(),
                baseUrl,
                ntfyServer,
                topic != null ? topic : "",
                trackerUrl,
                PriceTable.builtIn(file.prices() != null ? file.prices() : Map.of()),
                agentSettings(file.agents(), file.container()),
                batchSettings(file.batch()),
                phoneSettings(replyTopic, file.escalation()),
                file.coordinator() == null ? Settings.CoordinatorMode.AUTO
                        : Settings.CoordinatorMode.valueOf(file.coordinator().toUpperCase(java.util.Locale.ROOT)),
                file.review(),
                permissionPolicy(file.permissions()),
                file.budgets() == null ? Budgets.NONE : file.budgets().toBudgets(),
                secrets);
    }

    private static dev.relay.permissions.PermissionPolicy permissionPolicy(ConfigFile.Permissions p) {
        dev.relay.permissions.PermissionPolicy d = dev.relay.permissions.PermissionPolicy.DEFAULT;
        if (p == null) {
            return d;
        }
        return new dev.relay.permissions.PermissionPolicy(p.rules().stream().map(ConfigFile.Permissions.Rule::toRule).toList(),
                "coordinator".equals(p.triage()) ? dev.relay.permissions.PermissionPolicy.Triage.COORDINATOR : d.triage(),
                p.timeoutS() != null ? Duration.ofSeconds(p.timeoutS()) : d.timeout());
    }

    private static Settings.PhoneSettings phoneSettings(String replyTopic, ConfigFile.Escalation e) {
        Settings.PhoneSettings d = Settings.PhoneSettings.DEFAULT;
        return new Settings.PhoneSettings(replyTopic == null ? "" : replyTopic,
                e != null && e.renotifyS() != null ? Duration.ofSeconds(e.renotifyS()) : d.renotify(),
                e != null && e.maxRenotify() != null ? e.maxRenotify() : d.maxRenotify());
    }

    private static Settings.BatchSettings batchSettings(ConfigFile.Batch batch) {
        Settings.BatchSettings d = Settings.BatchSettings.DEFAULT;
        if (batch == null) {
            return d;
        }
        return new Settings.BatchSettings(orDefault(batch.maxEnvelopes(), d.maxEnvelopes()),
                orDefault(batch.maxChars(), d.maxChars()),
                batch.lingerMs() != null ? Duration.ofMillis(batch.lingerMs()) : d.linger());
    }

    /** Re-reads only the secrets (the operator may add a key to .env while the relay runs). */
    public Secrets reloadSecrets(Home home) {
        return load(home, false).secrets();
    }

    static ConfigFile readConfigFile(Path path) {
        if (!Files.exists(path)) {
            return ConfigFile.EMPTY;
        }
        if (!hasContentWithoutDuplicateKeys(path)) {
            return ConfigFile.EMPTY; // empty, or only comments
        }
        try (InputStream in = Files.newInputStream(path)) {
            ConfigFile file = YAML.readValue(in, ConfigFile.class);
            return file == null ? ConfigFile.EMPTY : file;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            int line = at == null ? 0 : at.getLineNr();
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException y && y.getProblemMark() != null) {
                    String context = y.getContext() == null ? ""
                            : " (" + y.getContext() + (y.getContextMark() == null ? "" : " from line " + (y.getContextMark().getLine() + 1)) + ")";
                    throw new ConfigException(path, y.getProblemMark().getLine() + 1,
                            "not valid YAML: " + y.getProblem() + context + "; check the indentation and the colons");
                }
            }
            if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
                ContainerEnv.BadVariable bad = badVariable(m);
                if (bad != null) {
                    // the variable's own line, not its block's
                    String block = where(m).substring(" at ".length());
                    throw new ConfigException(path, lineOf(path, pointer(m) + "/env/" + escape(bad.name)).orElse(line),
                            "\"" + bad.name + "\" in " + block + ".env " + bad.problem);
                }
                line = lineOf(path, pointer(m)).orElse(line);
            }
            throw new ConfigException(path, line, describe(e));
        } catch (IOException e) {
            throw new ConfigException(path, 0, "cannot read: " + e.getMessage());
        }
    }

    /**
     * Whether the file holds anything but comments; throws at the second of two equal keys in one block, which
     * Jackson would take silently, the last winning (a second {@code sessions:} dropping the first list).
     */
    private static boolean hasContentWithoutDuplicateKeys(Path path) {
        try (JsonParser p = YAML.getFactory().createParser(path.toFile())) {
            boolean content = false;
            Deque<Map<String, Integer>> blocks = new ArrayDeque<>();
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                content = true;
                if (t == JsonToken.START_OBJECT) {
                    blocks.push(new HashMap<>());
                } else if (t == JsonToken.END_OBJECT) {
                    blocks.pop();
                } else if (t == JsonToken.FIELD_NAME) {
                    int line = p.currentTokenLocation().getLineNr();
                    Integer first = blocks.peek().putIfAbsent(p.currentName(), line);
                    if (first != null) {
                        String block = blockOf(p.getParsingContext());
                        throw new ConfigException(path, line, "duplicate key \"" + p.currentName() + "\""
                                + (block.isEmpty() ? "" : " in " + block) + " (first at line " + first + "); a key can be given only once");
                    }
                }
            }
            return content;
        } catch (JsonProcessingException e) {
            return true; // not valid YAML: reported with its line by the full read
        } catch (IOException e) {
            throw new ConfigException(path, 0, "cannot read: " + e.getMessage());
        }
    }

    /** Where a key's block is, as {@code sessions[0].container}; empty at the top level. */
    private static String blockOf(JsonStreamContext keyContext) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = keyContext.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
            parts.push(c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
        }
        String joined = String.join("", parts);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    /** The line where the value at {@code pointer} starts (Jackson reports where it noticed, often a line later). */
    private static java.util.OptionalInt lineOf(Path file, String pointer) {
        try (com.fasterxml.jackson.core.JsonParser p = YAML.getFactory().createParser(file.toFile())) {
            while (p.nextToken() != null) {
                if (p.getParsingContext().pathAsPointer().toString().equals(pointer)) {
                    return java.util.OptionalInt.of(p.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // fall back to Jackson's own location
        }
        return java.util.OptionalInt.empty();
    }

    private static String pointer(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            b.append('/');
            if (r.getIndex() >= 0) {
                b.append(r.getIndex());
            } else if (r.getFieldName() != null) {
                b.append(escape(r.getFieldName()));
            }
        }
        return b.toString();
    }

    private static String escape(String pointerSegment) {
        return pointerSegment.replace("~", "~0").replace("/", "~1");
    }

    private static ContainerEnv.BadVariable badVariable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ContainerEnv.BadVariable b) {
                return b;
            }
        }
        return null;
    }

    private static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return "unknown key \"" + u.getPropertyName() + "\"" + (u.getPath().size() > 1 ? where(u) : "") + (known.isEmpty() ? "" : " (known keys: " + known + ")");
        }
        if (e instanceof ValueInstantiationException v) {
            Throwable cause = v.getCause();
            while (cause != null && cause.getCause() != null && cause.getMessage() == null) {
                cause = cause.getCause();
            }
            return (cause != null ? cause.getMessage() : v.getOriginalMessage()) + where(v);
        }
        if (e instanceof InvalidFormatException f) {
            Throwable cause = f.getCause();
            if (cause instanceof IllegalArgumentException) {
                return cause.getMessage() + where(f);
            }
            return "\"" + f.getValue() + "\" is not a valid " + f.getTargetType().getSimpleName().toLowerCase() + where(f);
        }
        if (e instanceof MismatchedInputException m) {
            String type = m.getTargetType() == null ? "value" : m.getTargetType().getSimpleName();
            return "wrong type of value" + where(m) + ": expected " + article(type);
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof IllegalArgumentException iae) {
            return iae.getMessage() + where(m);
        }
        String msg = e.getOriginalMessage();
        return "not valid YAML: " + (msg == null ? e.getClass().getSimpleName() : msg.lines().findFirst().orElse(msg));
    }

    private static String article(String type) {
        return switch (type) {
            case "Integer", "int", "Long", "long" -> "a whole number";
            case "Double", "double" -> "a number";
            case "String" -> "a text value";
            case "List", "ArrayList" -> "a list";
            default -> "a " + type.toLowerCase() + " (a mapping of keys)";
        };
    }

    private static String where(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            }
        }
        return b.length() == 0 ? "" : " at " + b;
    }

    private static String checkedUrl(String key, String url) {
        try {
            return Urls.check(key, url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static Optional<String> secret(Map<String, String> vars, String key) {
        String v = vars.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static int orDefault(Integer v, int d) {
        return v != null ? v : d;
    }

    static String generateTopic() {
        final String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder("relay-");
        for (int i = 0; i < 24; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    public static String resource(String name) {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/dev/relay/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
