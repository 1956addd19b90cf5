package io.xaiscale.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A report's CSV cell that a spreadsheet would run as a formula is shown as text; numbers stay numbers. */
class QueryCsvTest {
    @Test
    void formulaLikeStringsGetAnApostropheAndNumbersDoNot() {
        assertEquals("'=HYPERLINK(\"http://x\")", Query.Result.neutral("=HYPERLINK(\"http://x\")"));
        assertEquals("'+1", Query.Result.neutral("+1"));
        assertEquals("'-cmd", Query.Result.neutral("-cmd"));
        assertEquals("'@SUM(A1)", Query.Result.neutral("@SUM(A1)"));
        assertEquals("-0.25", Query.Result.neutral(-0.25));
        assertEquals("grad_cam", Query.Result.neutral("grad_cam"));
        assertEquals("", Query.Result.neutral(""));
    }
}
