package dev.relay.cli;

import dev.relay.inbox.Action;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "raise", mixinStandardHelpOptions = true,
        description = {"Raises today's limit of a budget (config.yaml `budgets:`) from its inbox item, so that its session (or",
            "the relay, for the day's total) goes on: to USD dollars, by +USD, or with no amount by the configured limit",
            "once more. Tomorrow the configured limit holds again.",
            "",
            "Examples:",
            "  relay raise K7Q2M          # $5 a day becomes $10 today",
            "  relay raise K7Q2M +2       # $2 more today",
            "  relay raise K7Q2M 20       # $20 today"})
final class RaiseCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The budget item's code, from `relay inbox`.")
    String code;

    @Parameters(index = "1", arity = "0..1", paramLabel = "USD", description = "The new limit (20), or how much more (+2).")
    String amount;

    @Override
    public Integer call() throws InterruptedException {
        if (amount != null) {
            String a = amount.strip().replace("$", "");
            try {
                if (!(Double.parseDouble(a.startsWith("+") ? a.substring(1) : a) > 0)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new UserException("\"" + amount + "\" is not an amount of dollars: give the new limit (20) or how much"
                        + " more (+2)");
            }
        }
        return act(code, Action.RAISE, Optional.ofNullable(amount));
    }
}
