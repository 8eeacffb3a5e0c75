package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The properties of podguard's JSON objects behave as Jackson's own {@code LinkedHashMap}, small or large. */
class CompactObjectMapTest {

    /** put, remove, iterator remove, setValue through an entry, clear — on both maps, then the same content, order and hash. */
    @Property(tries = 300)
    void anyOperationsThenAsLinkedHashMap(@ForAll("operations") List<int[]> operations) {
        Map<String, JsonNode> compact = new CompactObjectMap();
        Map<String, JsonNode> reference = new LinkedHashMap<>();
        for (int[] op : operations) {
            String key = "k" + op[1];
            JsonNode value = JsonNodeFactory.instance.numberNode(op[2]);
            switch (op[0]) {
                case 0, 1, 2 -> assertThat(compact.put(key, value)).isEqualTo(reference.put(key, value));
                case 3 -> assertThat(compact.remove(key)).isEqualTo(reference.remove(key));
                case 4 -> {
                    removeThroughIterator(compact, key);
                    removeThroughIterator(reference, key);
                }
                case 5 -> {
                    setThroughEntry(compact, key, value);
                    setThroughEntry(reference, key, value);
                }
                default -> {
                    if (op[2] % 10 == 0) {
                        compact.clear();
                        reference.clear();
                    }
                }
            }
            assertThat(compact.get(key)).isEqualTo(reference.get(key));
            assertThat(compact.containsKey(key)).isEqualTo(reference.containsKey(key));
        }
        assertThat(new ArrayList<>(compact.entrySet())).containsExactlyElementsOf(reference.entrySet());
        assertThat(compact).isEqualTo(reference);
        assertThat(reference).isEqualTo(compact);
        assertThat(compact.hashCode()).isEqualTo(reference.hashCode());
        List<String> visited = new ArrayList<>();
        compact.forEach((k, v) -> visited.add(k));
        assertThat(visited).containsExactlyElementsOf(reference.keySet());
    }

    @Provide
    Arbitrary<List<int[]>> operations() {
        Arbitrary<int[]> op = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 24),
                Arbitraries.integers().between(0, 99)).as((a, b, c) -> new int[] {a, b, c});
        return op.list().ofMaxSize(80);
    }

    private static void removeThroughIterator(Map<String, JsonNode> map, String key) {
        for (Iterator<Map.Entry<String, JsonNode>> it = map.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getKey().equals(key)) {
                it.remove();
            }
        }
    }

    private static void setThroughEntry(Map<String, JsonNode> map, String key, JsonNode value) {
        for (Map.Entry<String, JsonNode> e : map.entrySet()) {
            if (e.getKey().equals(key)) {
                e.setValue(value);
            }
        }
    }

    @Test
    void readTreeWhenObjectsThenCompactAndEqualToJacksonsOwn() {
        String json = "{\"b\":1,\"a\":{\"x\":[1,{\"y\":null}],\"w\":\"v\"},\"c\":true}";
        JsonNode ours = Json.mapper().readTree(json);
        JsonNode jacksons = new tools.jackson.databind.ObjectMapper().readTree(json);

        assertThat(ours).isEqualTo(jacksons);
        assertThat(jacksons).isEqualTo(ours);
        assertThat(ours.hashCode()).isEqualTo(jacksons.hashCode());
        assertThat(Json.mapper().writeValueAsString(ours)).isEqualTo(json);
        assertThat(Json.mapper().writeValueAsString(ours.deepCopy())).isEqualTo(json);
        assertThat(((ObjectNode) ours).propertyNames()).containsExactly("b", "a", "c");
    }

    /** A hostile object of many keys is hashed past the first few, so reading it stays linear (this would take minutes if not). */
    @Test
    void readTreeWhenTwoHundredThousandKeysThenEveryOneFound() {
        StringBuilder sb = new StringBuilder("{");
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        JsonNode node = Json.mapper().readTree(sb.append('}').toString());

        assertThat(node.size()).isEqualTo(n);
        assertThat(node.get("k199999").asInt()).isEqualTo(199_999);
        assertThat(node.propertyNames().iterator().next()).isEqualTo("k0");
    }

    @Test
    void readTreeWhenDuplicateKeysThenLastWinsInFirstPlace() {
        JsonNode node = Json.mapper().readTree("{\"a\":1,\"b\":2,\"a\":3}");

        assertThat(Json.mapper().writeValueAsString(node)).isEqualTo("{\"a\":3,\"b\":2}");
    }

    /** A node copied one level deep (the defaults' copy on write) is its own map: writing the copy, or growing it past 16 properties, leaves the source as it was. */
    @Property(tries = 100)
    void setAllWhenCopiedThenIndependentOfItsSource(@ForAll("operations") List<int[]> operations) {
        ObjectNode source = Json.mapper().createObjectNode();
        Map<String, JsonNode> reference = new LinkedHashMap<>();
        for (int[] op : operations) {
            source.put("k" + op[1], op[2]);
            reference.put("k" + op[1], JsonNodeFactory.instance.numberNode(op[2]));
        }
        String before = Json.mapper().writeValueAsString(source);
        ObjectNode copy = Json.mapper().createObjectNode().setAll(source);

        assertThat(copy).isEqualTo(source);
        assertThat(new ArrayList<>(copy.properties())).containsExactlyElementsOf(reference.entrySet());
        copy.put("added", 1);
        copy.remove("k0");
        for (int i = 0; i < 20; i++) {
            copy.put("more" + i, i);
        }
        reference.remove("k0");
        reference.put("added", JsonNodeFactory.instance.numberNode(1));

        assertThat(Json.mapper().writeValueAsString(source)).isEqualTo(before);
        assertThat(copy.get("added").asInt()).isEqualTo(1);
        assertThat(copy.get("more19").asInt()).isEqualTo(19);
        assertThat(copy.has("k0")).isFalse();
        assertThat(copy.size()).isEqualTo(reference.size() + 20);
    }

    /** An entry kept past a change of the map's properties reads the map, and refuses to write. */
    @Test
    void entryWhenPropertyRemovedAfterwardsThenReadsTheMapAndRefusesToWrite() {
        Map<String, JsonNode> map = new CompactObjectMap();
        map.put("a", JsonNodeFactory.instance.numberNode(1));
        map.put("b", JsonNodeFactory.instance.numberNode(2));
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(map.entrySet());

        map.remove("a");

        assertThat(entries.get(1).getKey()).isEqualTo("b");
        assertThat(entries.get(1).getValue().asInt()).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> entries.get(1).setValue(JsonNodeFactory.instance.numberNode(3)))
                .isInstanceOf(java.util.ConcurrentModificationException.class);
    }
}
