// Secrets arrive on the first stdin line and go to exactly one place: the `env` of the Claude Code
// process the SDK starts. Never process.env (the in-process tools would see them), never a file,
// never a log line. Commands the agent runs get them unset first.

/** Credentials Claude Code reads; unset in the agent's shell commands even if not received. */
export const KNOWN_CREDENTIALS = Object.freeze(['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']);

// Inherited from the container's environment; everything else stays behind.
const PASSED_THROUGH = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TERM', 'TMPDIR',
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
]);
// Non-secret Claude Code settings an operator may give the container (model, base URL, ...).
const PASSED_THROUGH_PREFIXES = ['LC_', 'ANTHROPIC_', 'CLAUDE_'];
// Credentials come on stdin only (CONTRACT.md section 6); one found in the environment stays there.
const LOOKS_SECRET = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL|HEADERS/i;

// Tools whose input is a shell command run with Claude Code's environment.
const SHELL_TOOLS = new Set(['Bash', 'Monitor']);

/** Values shorter than this are not redacted: they would match innocent text, and are no real key. */
const MIN_REDACTED_LENGTH = 8;
export const REDACTED = '[REDACTED]';

/**
 * The complete environment for the SDK's Claude Code process (the SDK replaces, not merges):
 * an allow-list of the container's variables, `extra`, then the secrets. The allow-list includes
 * the names the relay lists in RELAY_AGENT_ENV (the operator's `container.env` in config.yaml).
 */
export function buildSdkEnv(baseEnv, secrets, extra = {}) {
  const env = {};
  const operatorNames = new Set((baseEnv.RELAY_AGENT_ENV ?? '').split(',').map((n) => n.trim()).filter(Boolean));
  for (const [name, value] of Object.entries(baseEnv)) {
    if (value === undefined) continue;
    if (PASSED_THROUGH.has(name)) env[name] = value;
    else if ((operatorNames.has(name) || PASSED_THROUGH_PREFIXES.some((p) => name.startsWith(p))) && !LOOKS_SECRET.test(name)) {
      env[name] = value;
    }
  }
  for (const [name, value] of Object.entries(extra)) if (env[name] === undefined) env[name] = value;
  return { ...env, ...secrets };
}

/** Names to unset before every shell command: the secrets received plus the known credentials. */
export function secretNames(secrets) {
  return [...new Set([...KNOWN_CREDENTIALS, ...Object.keys(secrets)])].sort();
}

export function unsetPrefix(names) {
  return `unset ${names.join(' ')}; `;
}

/**
 * A PreToolUse hook that prefixes shell commands with `unset NAMES;`, so that what the agent runs
 * does not inherit the secrets from Claude Code's environment. Claude Code applies `updatedInput`
 * only together with `permissionDecision: 'allow'`; the session bypasses permissions anyway.
 */
export function shellSecretsHook(names) {
  const prefix = unsetPrefix(names);
  return async (input) => {
    const toolInput = input?.tool_input;
    if (input?.hook_event_name !== 'PreToolUse' || !SHELL_TOOLS.has(input.tool_name)) return {};
    if (toolInput === null || typeof toolInput !== 'object' || typeof toolInput.command !== 'string') return {};
    return {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'allow',
        updatedInput: { ...toolInput, command: prefix + toolInput.command },
      },
    };
  };
}

/** The `hooks` option for query(). */
export function secretHooks(names) {
  return { PreToolUse: [{ matcher: [...SHELL_TOOLS].join('|'), hooks: [shellSecretsHook(names)] }] };
}

/** Returns a function that replaces every secret value in a text, for output, logs and files. */
export function makeRedactor(secrets) {
  const values = [...new Set(Object.values(secrets))]
    .filter((v) => typeof v === 'string' && v.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    if (typeof text !== 'string') return text;
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out;
  };
}
