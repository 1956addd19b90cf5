package io.xaiscale.jobs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One page of the report as the template reads it: sections of facts, tables, charts and image
 * galleries. Every chart and table names the notebook statement that computed it and the CSV of its
 * rows, written next to the page.
 */
final class Page {
    final String file;
    final String title;
    final String intro;
    final List<Map<String, Object>> sections = new ArrayList<>();

    Page(String file, String title, String intro) {
        this.file = file;
        this.title = title;
        this.intro = intro;
    }

    Section section(String id, String title, String text) {
        Section s = new Section(id, title, text);
        sections.add(s.model);
        return s;
    }

    static final class Section {
        final Map<String, Object> model;
        final List<Map<String, Object>> facts = new ArrayList<>();
        final List<Map<String, Object>> tables = new ArrayList<>();
        final List<Map<String, Object>> charts = new ArrayList<>();
        final List<Map<String, Object>> galleries = new ArrayList<>();

        Section(String id, String title, String text) {
            model = Charts.map(
                    "id",
                    id,
                    "title",
                    title,
                    "text",
                    text == null ? "" : text,
                    "facts",
                    facts,
                    "tables",
                    tables,
                    "charts",
                    charts,
                    "galleries",
                    galleries);
        }

        Section fact(String name, Object value) {
            facts.add(Charts.map("name", name, "value", value == null ? "" : String.valueOf(value)));
            return this;
        }

        Section table(String title, List<String> columns, List<List<String>> rows, String csv, Query query) {
            tables.add(Charts.map(
                    "title",
                    title,
                    "columns",
                    columns,
                    "rows",
                    rows,
                    "csv",
                    csv == null ? "" : csv,
                    "sql",
                    query == null ? "" : "sql/" + query.file(),
                    "statement",
                    query == null ? 0 : query.statement() + 1));
            return this;
        }

        Section chart(
                String id, String title, String note, Map<String, Object> option, int height, String csv, Query query) {
            charts.add(Charts.map(
                    "id",
                    id,
                    "title",
                    title,
                    "note",
                    note == null ? "" : note,
                    "option",
                    Charts.json(option),
                    "height",
                    height,
                    "csv",
                    csv,
                    "sql",
                    "sql/" + query.file(),
                    "statement",
                    query.statement() + 1));
            return this;
        }

        Section gallery(String title, String text, List<Map<String, Object>> images) {
            galleries.add(Charts.map("title", title, "text", text == null ? "" : text, "images", images));
            return this;
        }
    }
}
