package io.highlander.example.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README shows real, compiled files, never hand-written copies: each Java or XML block is announced by a
 * {@code <!-- file: PATH -->} line and must equal that file (or that file without its package and import
 * lines, when the block leaves them out). The files are compiled by the build and run by
 * {@link GettingStartedIT} and {@link LockDataSourceTest}, so a snippet that stops compiling or working
 * fails the build.
 */
class ReadmeSnippetsTest {

    /** The repository's root, seen from this module (examples/weld-se). */
    static final Path ROOT = Path.of("..", "..").toAbsolutePath().normalize();

    private static final Pattern MARKER = Pattern.compile("<!-- file: (\\S+) -->");

    /** One fenced code block of the README, with the file its marker names (or null). */
    record Block(int line, String language, String text, String file) {
    }

    @Test
    void everyJavaAndXmlBlockNamesItsSourceFile() throws IOException {
        List<Block> blocks = blocks(ROOT.resolve("README.md"));

        assertThat(blocks).filteredOn(block -> block.language().equals("java") || block.language().equals("xml"))
                .as("Java and XML blocks of README.md, each announced by <!-- file: PATH -->")
                .isNotEmpty()
                .allSatisfy(block -> assertThat(block.file()).as("README.md line " + block.line()).isNotNull());
    }

    @Test
    void everyAnnouncedBlockEqualsItsFile() throws IOException {
        List<Block> announced = blocks(ROOT.resolve("README.md")).stream().filter(block -> block.file() != null).toList();

        assertThat(announced).extracting(Block::file).contains(
                "examples/getting-started/src/main/java/com/example/NightlyReport.java",
                "examples/getting-started/src/main/java/com/example/Cleanup.java",
                "examples/quarkus/src/main/resources/application.properties");
        for (Block block : announced) {
            String file = Files.readString(ROOT.resolve(block.file()));
            String expected = block.text().startsWith("package ") || block.language().equals("xml")
                    ? file : withoutPackageAndImports(file);
            assertThat(block.text()).as("README.md line " + block.line() + " shows " + block.file()
                    + "; copy the file into the README again").isEqualTo(expected);
        }
    }

    /** The README's own statement of the coordinates must match what the build produces and tests. */
    @Test
    void theCoordinatesInTheReadmeAreTheBuildsOwn() throws IOException {
        String parentPom = Files.readString(ROOT.resolve("pom.xml"));
        String version = firstGroup(parentPom, "<artifactId>highlander-parent</artifactId>\\s*<version>([^<]+)</version>");
        String appPom = Files.readString(ROOT.resolve("examples/getting-started/pom.xml"));
        String readme = Files.readString(ROOT.resolve("README.md"));

        assertThat(appPom).contains("<artifactId>highlander-cdi</artifactId>\n      <version>" + version + "</version>")
                .contains("<version>" + firstGroup(parentPom, "<weld.version>([^<]+)</weld.version>") + "</version>")
                .contains("<version>" + firstGroup(parentPom, "<postgresql.version>([^<]+)</postgresql.version>") + "</version>")
                .contains("<artifactId>maven-compiler-plugin</artifactId>\n        <version>"
                        + firstGroup(parentPom, "<artifactId>maven-compiler-plugin</artifactId><version>([^<]+)</version>"));
        assertThat(readme).contains("io.highlander:highlander-cdi:" + version)
                .contains("org.jboss.weld.se:weld-se-core:" + firstGroup(parentPom, "<weld.version>([^<]+)</weld.version>"))
                .contains("org.postgresql:postgresql:" + firstGroup(parentPom, "<postgresql.version>([^<]+)</postgresql.version>"))
                .contains("io.quarkus.platform:quarkus-bom:" + firstGroup(parentPom, "<quarkus.version>([^<]+)</quarkus.version>"));
        // every Quarkus extension the README names is one the Quarkus example depends on
        String quarkusPom = Files.readString(ROOT.resolve("examples/quarkus/pom.xml"));
        Matcher extension = Pattern.compile("`io\\.quarkus:(quarkus-[a-z-]+)`").matcher(readme);
        int extensions = 0;
        while (extension.find()) {
            assertThat(quarkusPom).as("examples/quarkus/pom.xml depends on " + extension.group(1))
                    .contains("<groupId>io.quarkus</groupId>\n      <artifactId>" + extension.group(1) + "</artifactId>");
            extensions++;
        }
        assertThat(extensions).as("Quarkus extensions named in README.md").isPositive();
    }

    /** CI runs exactly the README's test command ({@code .ci/run}), which the README gives as a block of its own. */
    @Test
    void theTestCommandIsTheOneCiRuns() throws IOException {
        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run")).stream().filter(line -> line.startsWith("mvn ")).toList();

        assertThat(ci).as("the mvn command of .ci/run").hasSize(1);
        assertThat(blocks(ROOT.resolve("README.md"))).filteredOn(block -> block.language().equals("bash"))
                .extracting(Block::text).as("README.md's bash blocks").contains(ci.get(0) + "\n");
    }

    static List<Block> blocks(Path markdown) throws IOException {
        List<String> lines = Files.readAllLines(markdown);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```") && line.length() > 3) {
                String language = line.substring(3).trim();
                Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1).trim()) : MARKER.matcher("");
                int end = i + 1;
                while (!lines.get(end).equals("```")) {
                    end++;
                }
                String text = lines.subList(i + 1, end).stream().map(l -> l + "\n").collect(Collectors.joining());
                blocks.add(new Block(i + 1, language, text, marker.matches() ? marker.group(1) : null));
                i = end;
            }
        }
        return blocks;
    }

    static String withoutPackageAndImports(String source) {
        List<String> lines = new ArrayList<>(source.lines().toList());
        lines.removeIf(line -> line.startsWith("package ") || line.startsWith("import "));
        while (!lines.isEmpty() && lines.get(0).isBlank()) {
            lines.remove(0);
        }
        return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
    }

    private static String firstGroup(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as(regex).isTrue();
        return matcher.group(1);
    }
}
