package io.podguard.engine.rules;

import dev.cel.common.types.CelType;
import dev.cel.common.values.CelValueConverter;
import dev.cel.common.values.CelValueProvider;
import dev.cel.common.values.OpaqueValue;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The values of the Kubernetes libraries (an IP, a CIDR, a quantity, a URL, a semver, a format)
 * as cel-java's planner sees them: opaque values of their library's type, so that
 * {@code type(ip('10.0.0.1')) == net.IP} holds, as in the apiserver. The planner asks a value's
 * type of its value converter; functions still receive the values themselves (the planner
 * unwraps what it converts before a call).
 */
final class KubernetesValues implements CelValueProvider {

    static final KubernetesValues PROVIDER = new KubernetesValues();

    private static final CelValueConverter CONVERTER = new CelValueConverter() {
        @Override
        public Object toRuntimeValue(Object value) {
            CelType type = typeOf(value);
            return type == null ? super.toRuntimeValue(value) : OpaqueValue.create(type.name(), value);
        }
    };

    private KubernetesValues() {
    }

    /** The library type of {@code value}; null for any other value. */
    static @Nullable CelType typeOf(Object value) {
        return switch (value) {
            case KubernetesIps.Ip ip -> KubernetesIps.IP;
            case KubernetesIps.Cidr cidr -> KubernetesIps.CIDR;
            case KubernetesQuantity.Quantity q -> KubernetesQuantity.TYPE;
            case KubernetesUrls.Url u -> KubernetesUrls.TYPE;
            case KubernetesSemver.Semver s -> KubernetesSemver.TYPE;
            case KubernetesFormats.Format f -> KubernetesFormats.TYPE;
            default -> null;
        };
    }

    @Override
    public Optional<Object> newValue(String structType, Map<String, Object> fields) {
        return Optional.empty();
    }

    @Override
    public CelValueConverter celValueConverter() {
        return CONVERTER;
    }
}
