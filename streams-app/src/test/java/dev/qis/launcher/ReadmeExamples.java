package dev.qis.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell examples of the README, in order: every command of a plain, {@code bash} or {@code console} code block
 * that runs {@code ./qis} (lines joined at a trailing backslash; in blocks that prompt with {@code $ }, the lines
 * after a command are its expected output, and {@code export} lines set the environment), and every inline
 * {@code `./qis ...`} of the prose that names no placeholder such as {@code COMMAND}.
 */
final class ReadmeExamples {
    private static final Pattern INLINE = Pattern.compile("`(\\./qis [^`]+)`");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\b[A-Z]{3,}\\b");

    private ReadmeExamples() {
    }

    /** One example: a command, or an {@code export NAME=VALUE}, and the output the README shows for it. */
    record Example(int line, String command, List<String> expectedOutput, boolean export) {
        @Override
        public String toString() {
            return "README line " + line + ": " + command;
        }
    }

    static List<Example> read(Path readme) {
        try {
            return parse(Files.readAllLines(readme, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Example> parse(List<String> lines) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                String language = line.substring(3).strip();
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).startsWith("```")) {
                    end++;
                }
                if (language.isEmpty() || language.equals("bash") || language.equals("sh") || language.equals("console")) {
                    out.addAll(block(lines.subList(i + 1, end), i + 2));
                }
                i = end;
                continue;
            }
            Matcher m = INLINE.matcher(line);
            while (m.find()) {
                if (!PLACEHOLDER.matcher(m.group(1)).find()) {
                    out.add(new Example(i + 1, m.group(1), List.of(), false));
                }
            }
        }
        return out;
    }

    private static List<Example> block(List<String> body, int firstLine) {
        boolean prompted = body.stream().anyMatch(l -> l.startsWith("$ "));
        List<Example> out = new ArrayList<>();
        int i = 0;
        while (i < body.size()) {
            int start = i;
            String line = body.get(i);
            if (prompted && !line.startsWith("$ ")) {
                i++;
                continue;
            }
            StringBuilder command = new StringBuilder(prompted ? line.substring(2) : line);
            while (command.toString().endsWith("\\") && i + 1 < body.size()) {
                command.setLength(command.length() - 1);
                command.append(' ').append(body.get(++i).strip());
            }
            i++;
            String text = command.toString().strip().replaceAll("\\s+", " ");
            List<String> expected = new ArrayList<>();
            while (prompted && i < body.size() && !body.get(i).startsWith("$ ")) {
                if (!body.get(i).isBlank()) {
                    expected.add(body.get(i).strip());
                }
                i++;
            }
            if (text.startsWith("export ")) {
                out.add(new Example(firstLine + start, text, List.of(), true));
            } else if (text.contains("./qis")) {
                out.add(new Example(firstLine + start, text, expected, false));
            }
        }
        return out;
    }
}
