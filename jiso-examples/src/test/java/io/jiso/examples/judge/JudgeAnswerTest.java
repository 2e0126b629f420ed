package io.jiso.examples.judge;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The answer comparison alone: whitespace-tolerant, line by line. */
class JudgeAnswerTest {
    @Test
    void whitespaceBetweenTokensAndTrailingBlankLinesDoNotMatter() {
        assertTrue(Judge.sameAnswer("1 2\n3\n", "1 2\n3\n"));
        assertTrue(Judge.sameAnswer("  1\t 2  \r\n3", "1 2\n3\n"));
        assertTrue(Judge.sameAnswer("1 2\n3\n\n\n", "1 2\n3"));
        assertTrue(Judge.sameAnswer("", "\n"));
    }

    @Test
    void tokensAndLinesDo() {
        assertFalse(Judge.sameAnswer("1 2 3\n", "1 2\n3\n"), "a line break is not a space");
        assertFalse(Judge.sameAnswer("12\n", "1 2\n"));
        assertFalse(Judge.sameAnswer("\n1\n", "1\n"), "a blank line before the answer");
        assertFalse(Judge.sameAnswer("3\n4\n", "3\n"));
        assertFalse(Judge.sameAnswer("", "3\n"));
    }
}
