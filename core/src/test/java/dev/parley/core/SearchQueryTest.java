package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

class SearchQueryTest {

    @Test
    void wordsAreLetterAndDigitRunsLowerCased() {
        assertThat(SearchQuery.parse("  Lunch at 12:30, OK?").words()).containsExactly("lunch", "at", "12", "30", "ok");
    }

    @Test
    void anyScriptIsAWord() {
        assertThat(SearchQuery.parse("Grüße, 東京 — ünïcödé").words()).containsExactly("grüße", "東京", "ünïcödé");
    }

    @Test
    void indexSyntaxIsOnlyASeparator() {
        // FTS5 and tsquery operators, quotes and column filters cannot reach the index.
        assertThat(SearchQuery.parse("\"body\": NEAR(a b) & !c | d:* OR -e").words())
                .containsExactly("body", "near", "a", "b", "c", "d", "or", "e");
    }

    @Test
    void wordsAndLengthsAreCapped() {
        assertThat(SearchQuery.parse("a b c d e f g h i j k").words()).hasSize(SearchQuery.MAX_WORDS);
        assertThat(SearchQuery.parse("x".repeat(200)).words().get(0)).hasSize(SearchQuery.MAX_WORD_CHARS);
    }

    @Test
    void emptyOverlongOrWordlessQueriesAreBadRequests() {
        for (String bad : new String[] {null, "", "   ", "?!… — ::", "x".repeat(SearchQuery.MAX_CHARS + 1)}) {
            assertThatThrownBy(() -> SearchQuery.parse(bad)).isInstanceOfSatisfying(ChatException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }
}
