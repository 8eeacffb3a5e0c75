package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The patch the defaulters emit from their copied paths is, byte for byte, the one the previous
 * way (a deep copy of the object, every defaulter writing into it, zjsonpatch's diff of the two)
 * gave: zjsonpatch's diff of the object as sent and the defaulted object, over generated pods and
 * workloads under every policy of the patch corpus. The object as sent is never written.
 */
class PatchIdentityPropertiesTest {

    /** What the diff was asked for before: plain add and replace, no move or copy. */
    private static final EnumSet<DiffFlags> REFERENCE_FLAGS =
            EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);
    private static final DefaultsEngine ENGINE = new DefaultsEngine(Defaulters.all());
    private static final List<PatchCorpusTest.CorpusPolicy> POLICIES;

    static {
        try {
            POLICIES = PatchCorpusTest.policies();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 300)
    void mutateWhenAnyPodAndPolicyThenPatchIsTheDiffOfTheDefaultedObject(
            @ForAll("pods") ObjectNode pod, @ForAll("policies") PatchCorpusTest.CorpusPolicy policy, @ForAll boolean asWorkload) {
        ObjectNode object = asWorkload ? deployment(pod) : pod;
        JsonNode sent = object.deepCopy();
        PodObject extracted = PodExtractor.extract(asWorkload ? "Deployment" : "Pod", object).orElseThrow();

        MutationResult result = ENGINE.mutate(extracted, policy.policy());

        assertThat(object).as("the object as sent").isEqualTo(sent);
        if (result.object() == null) {
            assertThat(result.patch()).isEmpty();
            return;
        }
        JsonNode reference = JsonDiff.asJson(sent, result.object(), REFERENCE_FLAGS);
        assertThat(result.patch().toString()).isEqualTo(reference.toString());
        assertThat(result.patch()).isNotEmpty();
    }

    private static ObjectNode deployment(ObjectNode pod) {
        ObjectNode deployment = Json.mapper().createObjectNode();
        deployment.put("apiVersion", "apps/v1").put("kind", "Deployment");
        deployment.putObject("metadata").put("name", "web");
        ObjectNode template = deployment.putObject("spec").putObject("template");
        template.set("metadata", pod.get("metadata"));
        template.set("spec", pod.get("spec"));
        return deployment;
    }

    @Provide
    Arbitrary<ObjectNode> pods() {
        return PatchCorpusTest.pods();
    }

    @Provide
    Arbitrary<PatchCorpusTest.CorpusPolicy> policies() {
        return Arbitraries.of(POLICIES);
    }
}
