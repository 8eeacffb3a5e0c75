package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link SharedTreePatch} answers what zjsonpatch's diff answers, also where a shared tree has to be compared the long way. */
class SharedTreePatchTest {

    private static final EnumSet<DiffFlags> FLAGS =
            EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.mapper().readTree(text);
    }

    private static void assertSameAsZjsonpatch(JsonNode source, JsonNode target, String expected) {
        String ours = SharedTreePatch.between(source, target).toString();
        assertThat(ours).isEqualTo(JsonDiff.asJson(source, target, FLAGS).toString());
        assertThat(ours).isEqualTo(expected);
    }

    /** A copy of {@code node} one level deep: what copy on write makes of a node on a written path. */
    private static ObjectNode shallow(ObjectNode node) {
        ObjectNode copy = node.objectNode();
        copy.setAll(node);
        return copy;
    }

    @Test
    void betweenWhenKeysNeedEscapingThenTildeAndSlashAreEscaped() {
        ObjectNode source = json("{\"metadata\":{\"annotations\":{\"a~b/c\":\"1\"}}}");
        ObjectNode target = source.deepCopy();
        ((ObjectNode) target.at("/metadata/annotations")).put("podguard.io/defaults", "x").put("a~b/c", "2").put("~/~", "y");

        assertSameAsZjsonpatch(source, target, "[{\"op\":\"replace\",\"path\":\"/metadata/annotations/a~0b~1c\",\"value\":\"2\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations/podguard.io~1defaults\",\"value\":\"x\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/annotations/~0~1~0\",\"value\":\"y\"}]");
        assertThat(SharedTreePatch.escape("a~b/c")).isEqualTo("a~0b~1c");
        assertThat(SharedTreePatch.escape("plain")).isEqualTo("plain");
    }

    @Test
    void betweenWhenTypeChangesOrFieldRemovedThenReplaceAndRemove() {
        ObjectNode source = json("{\"a\":null,\"b\":[1],\"c\":1,\"d\":{\"e\":1}}");
        ObjectNode target = json("{\"a\":{\"x\":1},\"b\":{\"y\":2},\"d\":{\"e\":1}}");

        assertSameAsZjsonpatch(source, target, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":{\"x\":1}},"
                + "{\"op\":\"replace\",\"path\":\"/b\",\"value\":{\"y\":2}},{\"op\":\"remove\",\"path\":\"/c\"}]");
    }

    @Test
    void betweenWhenContainersChangedInPlaceThenEachIsComparedAtItsIndex() {
        ObjectNode source = json("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}}");
        ObjectNode target = shallow(source);
        ObjectNode spec = shallow((ObjectNode) source.get("spec"));
        target.set("spec", spec);
        ArrayNode containers = spec.arrayNode();
        containers.addAll((ArrayNode) source.at("/spec/containers"));
        spec.set("containers", containers);
        containers.set(0, shallow((ObjectNode) containers.get(0)).put("x", 1));
        containers.set(2, shallow((ObjectNode) containers.get(2)).put("x", 2));

        assertSameAsZjsonpatch(source, target, "[{\"op\":\"add\",\"path\":\"/spec/containers/0/x\",\"value\":1},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/2/x\",\"value\":2}]");
    }

    /** Two containers of one name (the webhook sees objects before validation): one becomes equal to the other as sent. */
    @Test
    void betweenWhenChangedElementEqualsAnotherThenZjsonpatchWalksTheList() {
        ObjectNode source = json("{\"l\":[{\"name\":\"a\"},{\"name\":\"a\",\"x\":1}]}");
        ObjectNode target = shallow(source);
        ArrayNode list = target.arrayNode();
        list.addAll((ArrayNode) source.get("l"));
        target.set("l", list);
        list.set(0, shallow((ObjectNode) list.get(0)).put("x", 1));

        String expected = JsonDiff.asJson(source, target, FLAGS).toString();
        assertSameAsZjsonpatch(source, target, expected);
        assertThat(expected).isNotEqualTo("[{\"op\":\"add\",\"path\":\"/l/0/x\",\"value\":1}]");
    }

    @Test
    void betweenWhenListRebuiltThenZjsonpatchOperationsUnderItsPath() {
        ObjectNode source = json("{\"spec\":{\"tolerations\":[{\"key\":\"a\"},{\"key\":\"b\"},{\"key\":\"c\"}]}}");
        ObjectNode target = source.deepCopy();
        ArrayNode rebuilt = target.arrayNode();
        rebuilt.add(source.at("/spec/tolerations/0")).add(source.at("/spec/tolerations/2")).add(json("{\"key\":\"d\",\"operator\":\"Exists\"}"));
        ((ObjectNode) target.get("spec")).set("tolerations", rebuilt);

        assertSameAsZjsonpatch(source, target, "[{\"op\":\"remove\",\"path\":\"/spec/tolerations/1\"},"
                + "{\"op\":\"add\",\"path\":\"/spec/tolerations/2\",\"value\":{\"key\":\"d\",\"operator\":\"Exists\"}}]");
    }

    @Test
    void betweenWhenSharedThenNothing() {
        ObjectNode source = json("{\"a\":{\"b\":[1,2]}}");

        assertThat(SharedTreePatch.between(source, shallow(source))).isEmpty();
        assertThat(SharedTreePatch.between(source, source.deepCopy())).isEmpty();
    }

    /** A pod of 100,000 containers, each given something: one operation each, in order, the work linear in the list. */
    @Test
    void betweenWhenHundredThousandElementsChangedInPlaceThenOneOperationEach() {
        ObjectNode source = json("{\"spec\":{}}");
        ArrayNode list = ((ObjectNode) source.get("spec")).putArray("containers");
        for (int i = 0; i < 100_000; i++) {
            list.addObject().put("name", "c" + i).put("image", "i");
        }
        ObjectNode target = shallow(source);
        ObjectNode spec = shallow((ObjectNode) source.get("spec"));
        target.set("spec", spec);
        ArrayNode copy = spec.arrayNode();
        copy.addAll(list);
        spec.set("containers", copy);
        for (int i = 0; i < copy.size(); i++) {
            copy.set(i, shallow((ObjectNode) copy.get(i)).put("x", i));
        }

        ArrayNode ops = SharedTreePatch.between(source, target);

        assertThat(ops).hasSize(100_000);
        assertThat(ops.get(0).toString()).isEqualTo("{\"op\":\"add\",\"path\":\"/spec/containers/0/x\",\"value\":0}");
        assertThat(ops.get(99_999).toString()).isEqualTo("{\"op\":\"add\",\"path\":\"/spec/containers/99999/x\",\"value\":99999}");
    }
}
