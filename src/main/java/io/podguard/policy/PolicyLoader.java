package io.podguard.policy;

import io.podguard.engine.Text;

import io.podguard.engine.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a policy from YAML: parse to a tree, validate the tree with field paths (every error at
 * once, unknown keys included: a typo must not pass silently), then bind it to the records.
 */
public final class PolicyLoader {

    public static final String EMBEDDED_DEFAULT = "/io/podguard/policy/default-policy.yaml";

    /**
     * The YAML as written, strict about duplicate keys: {@code level:} twice would otherwise let the
     * last one win, which can silently relax a policy.
     */
    private static final YAMLMapper AS_WRITTEN = Json.yamlAsWritten().rebuild()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /**
     * The tree, aliases and merge keys expanded; keys are checked for duplicates as written
     * ({@link #AS_WRITTEN}), so that a key after a merge key overrides the merged one, as in YAML.
     */
    private static final YAMLMapper YAML = Json.yaml();

    private PolicyLoader() {
    }

    public static Policy embeddedDefault() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(EMBEDDED_DEFAULT)) {
            if (in == null) {
                throw new IllegalStateException("embedded default policy is missing from the jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The one way a policy file is read: at start-up, on every reload and by {@code config validate}.
     *
     * @throws IOException when the file cannot be read
     * @throws PolicyException with every error when it is not a valid policy
     */
    public static Policy load(Path file) throws IOException {
        return load(file, null);
    }

    /**
     * As {@link #load(Path)}, saying in {@code notes} (when given) what podguard made of documents
     * that are not its own (a PodSecurityConfiguration's defaults and exemptions).
     */
    public static Policy load(Path file, @Nullable List<String> notes) throws IOException {
        return load(new PolicyFiles(file), notes);
    }

    /** As {@link #load(Path)}; {@code files} keeps the digest of what was read, for the file watcher. */
    public static Policy load(PolicyFiles files) throws IOException {
        return load(files, null);
    }

    /** As {@link #load(PolicyFiles)}, with {@code notes} as {@link #load(Path, List)} says. */
    public static Policy load(PolicyFiles files, @Nullable List<String> notes) throws IOException {
        return parse(new String(files.readPolicy(), StandardCharsets.UTF_8), files, notes);
    }

    /** @throws PolicyException with every error, each naming its field path */
    public static Policy parse(String yaml) {
        return parse(yaml, null);
    }

    /**
     * @param files where file names in {@code podSecurityPolicies} are read; null: they are refused
     * @throws PolicyException with every error, each naming its field path
     */
    static Policy parse(String yaml, @Nullable PolicyFiles files) {
        return parse(yaml, files, null);
    }

    /** @param notes receives what podguard made of documents that are not its own; null: not wanted */
    static Policy parse(String yaml, @Nullable PolicyFiles files, @Nullable List<String> notes) {
        List<JsonNode> documents = documents(yaml);
        if (documents.isEmpty()) {
            throw new PolicyException("policy is empty");
        }
        if (documents.size() == 1 && !documents.getFirst().isObject()) {
            return bind(documents.getFirst()); // not a map: the validator says so with its path
        }
        List<JsonNode> admissionPolicies = documents.stream().filter(AdmissionPolicyDocuments::isAdmissionPolicy).toList();
        if (!admissionPolicies.isEmpty()) {
            // ValidatingAdmissionPolicies as documents of their own (docs/rules.md): the rest is read as usual
            List<JsonNode> rest = documents.stream().filter(d -> !AdmissionPolicyDocuments.isAdmissionPolicy(d)).toList();
            Policy base = rest.isEmpty() ? new Policy(null, null, null, null, null)
                    : parse(String.join("\n---\n", rest.stream().map(PolicyLoader::yaml).toList()), files, notes);
            Policy policy = base.withAdmissionPolicies(admissionPolicies, rest.isEmpty());
            AdmissionPolicyDocuments.compile(policy.validatingAdmissionPolicies());
            return policy;
        }
        if (documents.stream().anyMatch(PodSecurityConfigurationDocuments::isConfiguration)) {
            // Pod Security Admission's own configuration (docs/psa.md), alone or beside a PodGuardPolicy
            return PodSecurityConfigurationDocuments.read(documents, files == null ? null : files.file().toString(), notes);
        }
        Policy withPsps;
        try {
            // PodSecurityPolicy documents, alone or beside a PodGuardPolicy (docs/psp.md); its
            // PodGuardPolicy document, if any, is validated and bound by bind() below.
            withPsps = PodSecurityPolicyDocuments.read(yaml, files);
        } catch (PolicyException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new PolicyException(List.of(e.getMessage().split("\n")));
        } catch (JacksonException e) {
            throw new PolicyException(Text.oneLine(e.getOriginalMessage(), "malformed"));
        }
        if (withPsps != null) {
            return withPsps;
        }
        if (documents.size() > 1) {
            throw new PolicyException("a policy file holds one " + Policy.KIND + " document, found " + documents.size());
        }
        return bind(documents.getFirst());
    }

    /** Validates then binds one policy document. */
    static Policy bind(JsonNode document) {
        List<String> errors = PolicyValidator.validate(document);
        if (!errors.isEmpty()) {
            throw new PolicyException(errors);
        }
        try {
            Policy policy = Json.mapper().treeToValue(document, Policy.class);
            PolicyCompiler.compile(policy); // compiles levels and quantities: the validator checked them
            return policy;
        } catch (JacksonException | IllegalArgumentException e) {
            // The validator should have caught it; still a one-line error, never a trace.
            throw new PolicyException(Text.oneLine(e.getMessage(), "malformed"));
        }
    }

    private static String yaml(JsonNode node) {
        return YAML.writeValueAsString(node);
    }

    private static List<JsonNode> documents(String yaml) {
        List<JsonNode> out = new ArrayList<>(1);
        try (JsonParser written = AS_WRITTEN.createParser(yaml); JsonParser parser = YAML.createParser(yaml)) {
            while (written.nextToken() != null) {
                // syntax and keys given twice, as written
            }
            while (true) {
                JsonNode node = YAML.readTree(parser);
                if (node == null || node.isMissingNode()) {
                    break;
                }
                if (!node.isNull()) {
                    out.add(node);
                }
            }
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            String duplicate = duplicateKey(e);
            if (duplicate != null) {
                throw new PolicyException(duplicate + ": duplicate key (" + where.replace(": ", "")
                        + "): a key may be given once; the policy is refused rather than the last one silently winning");
            }
            throw new PolicyException(where + "not valid YAML: " + Text.oneLine(e.getOriginalMessage(), "malformed"));
        }
        return out;
    }

    /** The field path of a duplicate key ({@code podSecurity.level}), or null when {@code e} is another error. */
    private static @Nullable String duplicateKey(JacksonException e) {
        if (e.getOriginalMessage() == null || !e.getOriginalMessage().startsWith("Duplicate Object property")
                || !(e.processor() instanceof JsonParser parser)) {
            return null;
        }
        List<String> path = new ArrayList<>();
        for (var context = parser.streamReadContext(); context != null && !context.inRoot(); context = context.getParent()) {
            if (context.inArray()) {
                path.addFirst("[" + context.getCurrentIndex() + "]");
            } else if (context.currentName() != null) {
                path.addFirst(context.currentName());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String element : path) {
            if (!b.isEmpty() && !element.startsWith("[")) {
                b.append('.');
            }
            b.append(element);
        }
        return b.toString();
    }
}
