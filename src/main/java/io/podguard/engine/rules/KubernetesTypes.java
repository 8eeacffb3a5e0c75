package io.podguard.engine.rules;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.types.StructTypeReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The types the apiserver declares for an admission policy's variables
 * (k8s.io/apiserver {@code plugin/cel/compile.go} and {@code composition.go}): {@code request} is a
 * {@code kubernetes.AdmissionRequest}, {@code namespaceObject} a {@code kubernetes.Namespace},
 * and {@code variables} an object whose fields have the types their expressions were checked
 * to give, so {@code request.nope}, {@code variables.n + 'x'} (n an int) or a variable read before
 * its declaration are refused when the policy loads, as the apiserver refuses them.
 *
 * <p>Values stay plain maps at run time (CEL selects fields of a map as of an object); only the
 * checker sees these types. The {@code variables} type differs per policy and per variable (a
 * variable sees those before it): the checker asks for it while it checks, and gets the one
 * {@link #withVariables} set for this thread.
 */
final class KubernetesTypes {

    static final String VARIABLES = "kubernetes.variables";

    private static final ThreadLocal<StructType> CURRENT_VARIABLES = new ThreadLocal<>();

    private static StructType object(String name, Map<String, CelType> fields) {
        Map<String, CelType> copy = Map.copyOf(fields);
        return StructType.create(name, ImmutableSet.copyOf(fields.keySet()), f -> Optional.ofNullable(copy.get(f)));
    }

    private static Map<String, CelType> fields(Object... nameType) {
        Map<String, CelType> m = new LinkedHashMap<>();
        for (int i = 0; i < nameType.length; i += 2) {
            m.put((String) nameType[i], (CelType) nameType[i + 1]);
        }
        return m;
    }

    private static final CelType STRINGS = ListType.create(SimpleType.STRING);

    static final StructType GROUP_VERSION_KIND = object("kubernetes.GroupVersionKind",
            fields("group", SimpleType.STRING, "version", SimpleType.STRING, "kind", SimpleType.STRING));
    static final StructType GROUP_VERSION_RESOURCE = object("kubernetes.GroupVersionResource",
            fields("group", SimpleType.STRING, "version", SimpleType.STRING, "resource", SimpleType.STRING));
    static final StructType USER_INFO = object("kubernetes.UserInfo",
            fields("username", SimpleType.STRING, "uid", SimpleType.STRING, "groups", STRINGS,
                    "extra", MapType.create(SimpleType.STRING, STRINGS)));
    static final StructType ADMISSION_REQUEST = object("kubernetes.AdmissionRequest", fields(
            "kind", GROUP_VERSION_KIND, "resource", GROUP_VERSION_RESOURCE, "subResource", SimpleType.STRING,
            "requestKind", GROUP_VERSION_KIND, "requestResource", GROUP_VERSION_RESOURCE, "requestSubResource", SimpleType.STRING,
            "name", SimpleType.STRING, "namespace", SimpleType.STRING, "operation", SimpleType.STRING, "userInfo", USER_INFO,
            "dryRun", SimpleType.BOOL, "options", SimpleType.DYN));

    static final StructType NAMESPACE_SPEC = object("kubernetes.NamespaceSpec", fields("finalizers", STRINGS));
    static final StructType NAMESPACE_CONDITION = object("kubernetes.NamespaceCondition", fields(
            "status", SimpleType.STRING, "type", SimpleType.STRING, "lastTransitionTime", SimpleType.TIMESTAMP,
            "message", SimpleType.STRING, "reason", SimpleType.STRING));
    static final StructType NAMESPACE_STATUS = object("kubernetes.NamespaceStatus",
            fields("conditions", ListType.create(NAMESPACE_CONDITION), "phase", SimpleType.STRING));
    static final StructType NAMESPACE_METADATA = object("kubernetes.NamespaceMetadata", fields(
            "name", SimpleType.STRING, "generateName", SimpleType.STRING, "namespace", SimpleType.STRING,
            "labels", MapType.create(SimpleType.STRING, SimpleType.STRING), "annotations", MapType.create(SimpleType.STRING, SimpleType.STRING),
            "UID", SimpleType.STRING, "creationTimestamp", SimpleType.TIMESTAMP, "deletionGracePeriodSeconds", SimpleType.INT,
            "deletionTimestamp", SimpleType.TIMESTAMP, "generation", SimpleType.INT, "resourceVersion", SimpleType.STRING,
            "finalizers", STRINGS));
    static final StructType NAMESPACE = object("kubernetes.Namespace",
            fields("metadata", NAMESPACE_METADATA, "spec", NAMESPACE_SPEC, "status", NAMESPACE_STATUS));

    /** The {@code variables} type as the checker refers to it: resolved, while checking, to this thread's. */
    static final CelType VARIABLES_REFERENCE = StructTypeReference.create(VARIABLES);

    private static final List<CelType> FIXED = List.of(GROUP_VERSION_KIND, GROUP_VERSION_RESOURCE, USER_INFO, ADMISSION_REQUEST,
            NAMESPACE_SPEC, NAMESPACE_CONDITION, NAMESPACE_STATUS, NAMESPACE_METADATA, NAMESPACE,
            // the libraries' types, which expressions may name ({@code type(ip('1.2.3.4')) == net.IP})
            KubernetesIps.IP, KubernetesIps.CIDR, KubernetesQuantity.TYPE, KubernetesUrls.TYPE, KubernetesSemver.TYPE, KubernetesFormats.TYPE);

    /** The provider the checker asks for these types. */
    static final CelTypeProvider PROVIDER = new CelTypeProvider() {
        @Override
        public ImmutableCollection<CelType> types() {
            return ImmutableList.copyOf(FIXED);
        }

        @Override
        public Optional<CelType> findType(String name) {
            if (name.equals(VARIABLES)) {
                return Optional.ofNullable(CURRENT_VARIABLES.get());
            }
            for (CelType t : FIXED) {
                if (t.name().equals(name)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    };

    private KubernetesTypes() {
    }

    /** Runs {@code check} with {@code variables} (name to type, in order) as this thread's {@code variables} type. */
    static <T> T withVariables(Map<String, CelType> variables, java.util.function.Supplier<T> check) {
        StructType previous = CURRENT_VARIABLES.get();
        CURRENT_VARIABLES.set(object(VARIABLES, variables));
        try {
            return check.get();
        } finally {
            if (previous == null) {
                CURRENT_VARIABLES.remove();
            } else {
                CURRENT_VARIABLES.set(previous);
            }
        }
    }

    /**
     * The type a variable gets from the type its expression gives, as the apiserver's
     * {@code convertCelTypeToDeclType}: primitives, lists and maps keep theirs (their parameters
     * converted alike); anything else (an object, an optional, a type, an opaque value) is {@code dyn}.
     */
    static CelType variableType(CelType t) {
        return switch (t.kind()) {
            case BOOL, BYTES, DOUBLE, INT, NULL_TYPE, STRING, TIMESTAMP, UINT, DURATION -> t;
            case LIST -> ListType.create(variableType(((ListType) t).elemType()));
            case MAP -> MapType.create(variableType(((MapType) t).keyType()), variableType(((MapType) t).valueType()));
            default -> SimpleType.DYN;
        };
    }

    /** A type as cel-go writes it in its messages ({@code list(string)}, {@code map(string, int)}, {@code dyn}). */
    static String format(@Nullable CelType t) {
        if (t == null) {
            return "dyn";
        }
        return switch (t.kind()) {
            case LIST -> "list(" + format(((ListType) t).elemType()) + ")";
            case MAP -> "map(" + format(((MapType) t).keyType()) + ", " + format(((MapType) t).valueType()) + ")";
            case TIMESTAMP -> "google.protobuf.Timestamp";
            case DURATION -> "google.protobuf.Duration";
            case NULL_TYPE -> "null_type";
            case TYPE_PARAM -> t.name();
            case TYPE -> t.parameters().isEmpty() ? "type" : "type(" + format(t.parameters().getFirst()) + ")";
            case OPAQUE -> t.parameters().isEmpty() ? t.name()
                    : t.name() + "(" + t.parameters().stream().map(KubernetesTypes::format).collect(Collectors.joining(", ")) + ")";
            default -> t.name();
        };
    }

    /** Whether two types are the same as cel-go's {@code IsEquivalentType} judges (by kind, name and parameters). */
    static boolean equivalent(CelType a, CelType b) {
        return format(a).equals(format(b));
    }
}
