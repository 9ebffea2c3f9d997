package io.highlander.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** The printed result: a header, then Markdown tables whose rows carry stable ids ([F1], [C2], ...). */
final class Report {

    private final StringBuilder text = new StringBuilder();
    private final List<String> rowIds = new ArrayList<>();

    void line(String line) {
        text.append(line).append('\n');
        System.out.println(line);
    }

    void section(String title, String... columns) {
        line("");
        line("### " + title);
        line("");
        line("| id | " + String.join(" | ", columns) + " |");
        line("|----|" + "---|".repeat(columns.length));
    }

    void row(String id, Object... cells) {
        rowIds.add(id);
        StringBuilder row = new StringBuilder("| ").append(id);
        for (Object cell : cells) {
            row.append(" | ").append(cell);
        }
        line(row.append(" |").toString());
    }

    List<String> rowIds() {
        return List.copyOf(rowIds);
    }

    String text() {
        return text.toString();
    }
}
