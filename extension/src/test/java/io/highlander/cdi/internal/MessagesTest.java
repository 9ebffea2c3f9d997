package io.highlander.cdi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every sentence a user can see lives in {@link Messages} with an id of its own: an id names one situation in
 * logs, in the README's catalogue and in users' alerts, so two meanings for one id (or a message written
 * elsewhere) would send an operator to the wrong row.
 */
class MessagesTest {

    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final Pattern ID = Pattern.compile("\"HL-(\\d{4})[: ]");

    @Test
    void everyIdHasOneMeaning() throws IOException {
        String messages = Files.readString(SOURCES.resolve("io/highlander/cdi/internal/Messages.java"));
        List<String> ids = new ArrayList<>();
        Matcher matcher = ID.matcher(messages);
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
        Map<String, Long> counts = ids.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(counts).as("ids used by more than one message").allSatisfy((id, count) -> assertThat(count).isOne());
    }

    @Test
    void noMessageIdIsWrittenOutsideMessages() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            List<String> elsewhere = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> !file.endsWith(Path.of("io/highlander/cdi/internal/Messages.java")))
                    .filter(file -> {
                        try {
                            return ID.matcher(Files.readString(file)).find();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(Path::toString).toList();
            assertThat(elsewhere).as("classes that write an HL id themselves").isEmpty();
        }
    }
}
