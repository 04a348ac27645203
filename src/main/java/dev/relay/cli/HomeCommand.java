package dev.relay.cli;

import dev.relay.config.ConfigLoader;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command shares: the home, the environment, and the settings loaded from both. */
abstract class HomeCommand implements Callable<Integer>, Main.EnvAware {
    @Mixin
    HomeOption homeOption = new HomeOption();

    @Spec
    CommandSpec spec;

    Map<String, String> env = Map.of();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    /** The command's own --home, else one given before the command name (`relay --home DIR status`). */
    Home home() {
        HomeOption chosen = homeOption;
        for (CommandSpec p = spec.parent(); chosen.home == null && p != null; p = p.parent()) {
            if (p.userObject() instanceof HomeCommand parent && parent.homeOption.home != null) {
                chosen = parent.homeOption;
            }
        }
        return chosen.resolve(env);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    ConfigLoader loader(Map<String, String> flags) {
        return new ConfigLoader(env, flags);
    }

    Settings settings(boolean persistTopic) {
        return loader(new HashMap<>()).load(home(), persistTopic);
    }
}
