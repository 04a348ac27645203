package dev.relay.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Prints a shell completion script for relay (commands, options, session ids as words).",
            "",
            "bash:  source <(relay completion bash)   (in ~/.bashrc)",
            "       or save it as ~/.local/share/bash-completion/completions/relay",
            "zsh:   source <(relay completion zsh)    (in ~/.zshrc, after compinit)"})
final class CompletionCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash or zsh (default ${DEFAULT-VALUE}).")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new UserException("completion is for bash or zsh, not \"" + shell + "\"", ExitCodes.USAGE);
        }
        CommandLine root = spec.commandLine().getParent();
        String script = AutoComplete.bash("relay", root);
        if (shell.equals("zsh")) {
            // zsh runs bash completion functions through bashcompinit
            script = "autoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
