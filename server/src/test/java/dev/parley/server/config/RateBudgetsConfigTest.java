package dev.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.RateBudgets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateBudgetsConfigTest {

    @Test
    void everyBudgetIsReadFromTheFileAndTheEnvironmentWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("parley.yml");
        Files.writeString(file, """
                budgets:
                  reads: {perSecond: 7, burst: 70}
                  conversationCreatesPerAddress: {perSecond: 0.25, burst: 3}
                  watermarks: {burst: 9}
                """);
        var config = ConfigLoader.load(Optional.of(file), Map.of("PARLEY_BUDGETS_READS_BURST", "700",
                "PARLEY_BUDGETS_TYPING_PER_SECOND", "0.5"), ConfigLoader.Overrides.none());
        RateBudgets b = config.budgets();
        RateBudgets d = RateBudgets.defaults();
        assertThat(b.enabled()).isTrue();
        assertThat(b.reads()).isEqualTo(new RateBudgets.Budget(7, 700));
        assertThat(b.conversationCreatesPerAddress()).isEqualTo(new RateBudgets.Budget(0.25, 3));
        assertThat(b.watermarks()).isEqualTo(new RateBudgets.Budget(d.watermarks().perSecond(), 9));
        assertThat(b.typing()).isEqualTo(new RateBudgets.Budget(0.5, d.typing().burst()));
        assertThat(b.memberAdds()).isEqualTo(d.memberAdds());
    }

    @Test
    void aBudgetThatCouldNeverBeMetIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_BUDGETS_MEMBER_ADDS_BURST", "0"),
                ConfigLoader.Overrides.none())).hasMessageContaining("PARLEY_BUDGETS_MEMBER_ADDS");
    }

    @Test
    void theSampleFileListsEveryBudgetAtItsDefault() {
        Path sample = Path.of("..", "parley.sample.yml");
        var config = ConfigLoader.load(Optional.of(sample), Map.of(), ConfigLoader.Overrides.none());
        assertThat(config.budgets()).isEqualTo(RateBudgets.defaults());
    }

    @Test
    void namesMapToTheDocumentedKeys() {
        assertThat(RateBudgets.Name.CONVERSATION_CREATES_PER_ADDRESS.yamlKey()).isEqualTo("conversationCreatesPerAddress");
        assertThat(RateBudgets.Name.READS_PER_ADDRESS.envPrefix()).isEqualTo("PARLEY_BUDGETS_READS_PER_ADDRESS");
    }

    @Test
    void rateLimitsOffLiftsEveryBudgetWhateverTheFileSays() {
        var config = ConfigLoader.load(Optional.empty(), Map.of("PARLEY_RATE_LIMITS", "off",
                "PARLEY_BUDGETS_READS_BURST", "1"), ConfigLoader.Overrides.none());
        assertThat(config.budgets().enabled()).isFalse();
    }
}
