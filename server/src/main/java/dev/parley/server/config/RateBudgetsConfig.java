package dev.parley.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.RateBudgets;
import java.util.Map;

/**
 * Reads {@link RateBudgets} from the {@code budgets:} section of the YAML file and the environment: for
 * each budget {@code <key>: {perSecond, burst}} in the file, {@code PARLEY_BUDGETS_<NAME>_PER_SECOND} and
 * {@code _BURST} in the environment (which win), e.g. {@code budgets: reads: {perSecond: 50, burst: 1000}}
 * or {@code PARLEY_BUDGETS_READS_BURST=1000}.
 */
final class RateBudgetsConfig {
    private RateBudgetsConfig() {
    }

    static RateBudgets load(JsonNode section, Map<String, String> env) {
        if (Settings.rateLimitsOff(env)) {
            return RateBudgets.off();
        }
        RateBudgets budgets = RateBudgets.defaults();
        for (RateBudgets.Name name : RateBudgets.Name.values()) {
            budgets = budgets.with(name, budget(env, name.envPrefix(), section.path(name.yamlKey()), budgets.get(name)));
        }
        return budgets;
    }

    /** {@code <VAR>_PER_SECOND} and {@code <VAR>_BURST}, or {@code {perSecond, burst}} in the file. */
    static RateBudgets.Budget budget(Map<String, String> env, String var, JsonNode node, RateBudgets.Budget d) {
        double perSecond = Settings.doubleOf(env, var + "_PER_SECOND", node, "perSecond", d.perSecond());
        int burst = Settings.intOf(env, var + "_BURST", node, "burst", d.burst());
        try {
            return new RateBudgets.Budget(perSecond, burst);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(var + "_PER_SECOND / _BURST: " + e.getMessage(), e);
        }
    }
}
