package io.xaiscale.jobs.ingest;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Records of an RFC 4180 CSV text: fields separated by commas, a field in double quotes may hold
 * commas, line breaks and doubled quotes ({@code ""}); CRLF or LF ends a record; a byte-order mark is
 * skipped. Each record knows the line it starts on, so errors name it.
 */
final class Csv {
    /** One record: its fields and the (1-based) line it starts on; {@code problem} when it is malformed. */
    record Record(int line, List<String> fields, String problem) {}

    private final Reader in;
    private int line = 1;
    private int peeked = -2;
    private boolean first = true;

    Csv(Reader in) {
        this.in = in;
    }

    private int read() throws IOException {
        if (peeked != -2) {
            int c = peeked;
            peeked = -2;
            return c;
        }
        int c = in.read();
        if (first) {
            first = false;
            if (c == '\uFEFF') {
                c = in.read();
            }
        }
        return c;
    }

    private int peek() throws IOException {
        if (peeked == -2) {
            peeked = read();
        }
        return peeked;
    }

    /** The next record, or null at the end of the text; blank lines are not records. */
    Record next() throws IOException {
        while (true) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            String problem = null;
            boolean quoted = false;
            boolean wasQuoted = false;
            boolean any = false;
            int c;
            while (true) {
                c = read();
                if (c == -1) {
                    if (quoted) {
                        problem = "a quoted field opened on line " + start + " is never closed";
                    }
                    break;
                }
                any = true;
                if (quoted) {
                    if (c == '"') {
                        if (peek() == '"') {
                            read();
                            field.append('"');
                        } else {
                            quoted = false;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append((char) c);
                    }
                    continue;
                }
                if (c == '"' && field.isEmpty() && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                } else if (c == '\r' || c == '\n') {
                    if (c == '\r' && peek() == '\n') {
                        read();
                    }
                    line++;
                    break;
                } else {
                    if (wasQuoted && problem == null) {
                        problem = "text after the closing quote of field " + (fields.size() + 1);
                    }
                    field.append((char) c);
                }
            }
            if (!any && c == -1) {
                return null;
            }
            fields.add(field.toString());
            if (problem == null && fields.size() == 1 && fields.get(0).isBlank() && !wasQuoted) {
                if (c == -1) {
                    return null;
                }
                continue; // a blank line
            }
            return new Record(start, fields, problem);
        }
    }
}
