package dev.relay.jbang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * jbang/relay.java builds the same program as pom.xml: the same dependencies at the same versions, every resource,
 * every source; and jbang-catalog.json points at it. (JbangProcessTest runs it with a real jbang.)
 */
class JbangLauncherFileTest {
    static final Path LAUNCHER = Path.of("jbang", "relay.java");

    static List<String> directives(String name) throws Exception {
        List<String> values = new ArrayList<>();
        for (String line : Files.readAllLines(LAUNCHER)) {
            if (line.startsWith("//" + name + " ")) {
                values.add(line.substring(name.length() + 3).trim());
            }
        }
        return values;
    }

    /** groupId:artifactId:version of every dependency of pom.xml that is not test-scoped, properties resolved. */
    static List<String> pomRuntimeDependencies() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Map<String, String> properties = new TreeMap<>();
        NodeList props = pom.getElementsByTagName("properties");
        for (int i = 0; i < props.getLength(); i++) {
            NodeList children = props.item(i).getChildNodes();
            for (int j = 0; j < children.getLength(); j++) {
                if (children.item(j) instanceof Element e) {
                    properties.putIfAbsent(e.getTagName(), e.getTextContent().trim());
                }
            }
        }
        Element project = pom.getDocumentElement();
        Element dependencies = null;
        NodeList children = project.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals("dependencies")) {
                dependencies = e;
            }
        }
        List<String> coordinates = new ArrayList<>();
        NodeList deps = dependencies.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            String scope = text(d, "scope");
            if (scope.equals("test") || scope.equals("provided")) {
                continue;
            }
            coordinates.add(text(d, "groupId") + ":" + text(d, "artifactId") + ":" + resolve(text(d, "version"), properties));
        }
        return coordinates;
    }

    static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }

    static String resolve(String value, Map<String, String> properties) {
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = properties.get(m.group(1));
            assertTrue(v != null, "pom.xml: property ${" + m.group(1) + "} is not defined");
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        return m.appendTail(out).toString();
    }

    /** The files under root that match, as sorted paths relative to it with forward slashes. */
    static List<String> filesUnder(Path root, java.util.function.Predicate<Path> which) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(which)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void its_deps_are_exactly_the_poms_runtime_dependencies() throws Exception {
        List<String> pom = pomRuntimeDependencies();
        assertTrue(pom.size() >= 5, "pom.xml read wrongly: " + pom);
        assertEquals(new TreeSet<>(pom), new TreeSet<>(directives("DEPS")),
                "jbang/relay.java's //DEPS lines must list pom.xml's dependencies (not test-scoped) at the same versions");
    }

    @Test
    void it_carries_every_resource_at_its_classpath_path() throws Exception {
        Path resources = Path.of("src", "main", "resources");
        TreeSet<String> expected = filesUnder(resources, Files::isRegularFile).stream()
                .map(r -> r + "=../src/main/resources/" + r)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(expected.size() >= 2, "no resources found under " + resources);
        assertEquals(expected, new TreeSet<>(directives("FILES")),
                "jbang/relay.java's //FILES lines must name every file under src/main/resources, as CLASSPATH_PATH=../src/main/resources/PATH");
    }

    @Test
    void it_names_every_source_file_and_calls_the_same_main() throws Exception {
        Path sources = Path.of("src", "main", "java");
        List<String> expected = filesUnder(sources, p -> p.toString().endsWith(".java")).stream()
                .map(f -> "../src/main/java/" + f)
                .toList();
        assertTrue(expected.size() > 50, "sources not found under " + sources);
        List<String> named = directives("SOURCES");
        assertEquals(expected, named.stream().sorted().toList(), "jbang/relay.java must name every file under src/main/java, in"
                + " order, one //SOURCES line each (no wildcard: a remote jbang run cannot expand one). The lines:\n"
                + expected.stream().map(f -> "//SOURCES " + f).collect(Collectors.joining("\n")));
        assertEquals(expected, named, "keep the //SOURCES lines sorted");
        String source = Files.readString(LAUNCHER);
        assertTrue(source.contains("dev.relay.cli.Main.main(args)"), "jbang/relay.java must call dev.relay.cli.Main.main");
        assertTrue(Files.exists(Path.of("src/main/java/dev/relay/cli/Main.java")));
        assertEquals("17+", directives("JAVA").get(0));
    }

    @Test
    void the_catalog_alias_relay_points_at_the_launcher() throws Exception {
        JsonNode catalog = new ObjectMapper().readTree(Path.of("jbang-catalog.json").toFile());
        JsonNode alias = catalog.path("aliases").path("relay");
        assertEquals("jbang/relay.java", alias.path("script-ref").asText(), "jbang-catalog.json: aliases.relay.script-ref");
        assertTrue(Files.isRegularFile(Path.of(alias.path("script-ref").asText())));
        assertTrue(alias.path("description").asText().length() > 10, "the alias needs a description for `jbang alias list`");
    }
}
