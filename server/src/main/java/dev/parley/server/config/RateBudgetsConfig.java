package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.RateBudgets;
import java.util.Map;

/** Reads {@link RateBudgets} from the {@code budgets:} section of the YAML file and the environment. */
final class RateBudgetsConfig {
    private RateBudgetsConfig() {
    }

    static RateBudgets load(JsonNode section, Map<String, String> env) {
        if (Settings.rateLimitsOff(env)) {
            return RateBudgets.off();
        }
        RateBudgets d = RateBudgets.defaults();
        return new RateBudgets(true, budget(env, "PARLEY_BUDGETS_TYPING", section.path("typing"), d.typing()));
    }

    /** {@code <VAR>_PER_SECOND} and {@code <VAR>_BURST}, or {@code {perSecond, burst}} in the file. */
    static RateBudgets.Budget budget(Map<String, String> env, String var, JsonNode node, RateBudgets.Budget d) {
        return new RateBudgets.Budget(
                Settings.doubleOf(env, var + "_PER_SECOND", node, "perSecond", d.perSecond()),
                Settings.intOf(env, var + "_BURST", node, "burst", d.burst()));
    }
}
