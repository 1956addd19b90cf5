package io.xaiscale.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names from the tables are text on every part of a page, never markup or script. */
class ReportHtmlTest {
    static final String EVIL = "</script><script>document.title='owned'</script><b>x";

    @Test
    void aClassNameOrMethodSpecWithMarkupRendersAsText(@TempDir Path dir) throws Exception {
        Page p = new Page("index.html", "Classes " + EVIL, "intro " + EVIL);
        p.section("s", "section " + EVIL, EVIL)
                .fact("class " + EVIL, EVIL)
                .table(
                        "table " + EVIL,
                        List.of("method " + EVIL),
                        List.of(List.of(EVIL)),
                        "data/x.csv",
                        new Query("leaderboard.sql", 1))
                .chart(
                        "c1",
                        "chart " + EVIL,
                        EVIL,
                        Charts.heatmap(
                                List.of(EVIL, "b"),
                                List.of("coat", EVIL),
                                new Double[][] {{0.1, 0.2}, {0.3, null}},
                                0,
                                1,
                                "v"),
                        300,
                        "data/x.csv",
                        new Query("leaderboard.sql", 1))
                .gallery("finding " + EVIL, EVIL, List.of(Map.of("src", "", "caption", EVIL)));
        Report.assets(dir);
        Path page = Report.render(p, List.of(p), "warehouse " + EVIL, dir);
        String html = Files.readString(page);
        assertFalse(html.contains("<script>document.title"), "the markup is escaped everywhere");
        assertFalse(html.contains("<b>x"));
        assertTrue(html.contains("&lt;/script&gt;&lt;script&gt;document.title="));
        // inside the chart's JSON the names are JSON text with < and > escaped
        assertTrue(html.contains("\\u003c/script\\u003e\\u003cscript\\u003edocument.title="));

        Chromium.require();
        Chromium.Visit v = Chromium.open(page, dir.resolve("chromium"));
        assertTrue(v.dom().contains("data-ready=\"true\""), v.dom());
        assertFalse(v.dom().contains("<title>owned"), "no injected script ran");
        assertTrue(v.dom().contains("data-charts=\"1\""), "the chart with those names drew");
        assertFalse(v.dom().contains("data-problems"), v.dom());
        assertEquals(List.of(), v.leaving());
    }

    /** The checks can fail: a page that would load from the network is stopped and says so. */
    @Test
    void aRequestLeavingTheFolderIsBlockedAndReportedOnThePage(@TempDir Path dir) throws Exception {
        Page p = new Page("index.html", "Leaky", "");
        p.section("s", "s", null)
                .gallery("g", null, List.of(Map.of("src", "http://example.invalid/x.png", "caption", "x")));
        Report.assets(dir);
        Path page = Report.render(p, List.of(p), "w", dir);
        Chromium.require();
        Chromium.Visit v = Chromium.open(page, dir.resolve("chromium"));
        // the policy stopped the request before it left (the net log has none), and the page says so
        assertTrue(v.dom().contains("data-problems=\""), v.dom());
        assertTrue(v.dom().contains("http://example.invalid/x.png\""), v.dom());
        assertEquals(List.of(), v.leaving());
    }
}
