package io.podguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Data flows one way: cli/server → admission/audit → report → policy → engine. Every reference
 * from one of podguard's top-level packages to another (an import or a qualified name in the
 * source) is an edge; the graph must have no cycle, and the engine must use none of the others.
 * A source scan rather than a library: it needs nothing but the sources, and sees qualified
 * names that an import check would miss.
 */
class PackageCyclesTest {

    private static final Path MAIN = Path.of("src/main/java/io/podguard");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.podguard\\.([a-z][a-z0-9]*)\\b");

    @Test
    void mainSourcesHaveNoCycleBetweenTopLevelPackages() throws IOException {
        Map<String, Set<String>> graph = graph(MAIN);
        assertThat(graph).containsKeys("engine", "policy", "admission", "report", "audit", "cli", "server");
        assertThat(cycles(graph)).as("package dependencies %s", graph).isEmpty();
    }

    @Test
    void engineUsesNoOtherPackageAndPolicyOnlyTheEngine() throws IOException {
        Map<String, Set<String>> graph = graph(MAIN);
        assertThat(graph.get("engine")).isEmpty();
        assertThat(graph.get("policy")).containsOnly("engine");
        assertThat(graph.get("report")).doesNotContain("admission", "audit", "cli", "server");
    }

    @Test
    void cyclesWhenTwoPackagesUseEachOtherThenFound() {
        Map<String, Set<String>> graph = new TreeMap<>(Map.of(
                "admission", Set.of("report", "engine"), "report", Set.of("admission"), "engine", Set.of()));
        assertThat(cycles(graph)).containsExactly(List.of("admission", "report", "admission"));
    }

    /** Top-level package → the other top-level packages its sources name. */
    static Map<String, Set<String>> graph(Path root) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = root.relativize(file);
                String from = relative.getNameCount() == 1 ? "(root)" : relative.getName(0).toString();
                Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    String target = m.group(1);
                    if (!target.equals(from) && Files.isDirectory(root.resolve(target))) {
                        to.add(target);
                    }
                }
            }
        }
        return graph;
    }

    /** Every cycle found by a depth-first walk, each as the path that closes it. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> found = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : graph.keySet()) {
            walk(start, graph, new ArrayList<>(), done, found);
        }
        return found;
    }

    private static void walk(String node, Map<String, Set<String>> graph, List<String> path, Set<String> done,
                             List<List<String>> found) {
        int at = path.indexOf(node);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            cycle.add(node);
            found.add(cycle);
            return;
        }
        if (done.contains(node)) {
            return;
        }
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            walk(next, graph, path, done, found);
        }
        path.removeLast();
        done.add(node);
    }
}
