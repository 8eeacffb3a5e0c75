package io.podguard.engine.resources;

/** Kinds of resource names, as the apiserver's {@code helper} package tells them apart. */
public final class ResourceNames {

    private ResourceNames() {
    }

    /** {@code IsNativeResource}: no domain, or one in {@code kubernetes.io}. */
    public static boolean isNative(String name) {
        return !name.contains("/") || name.contains("kubernetes.io/");
    }

    /** {@code IsExtendedResourceName}: a {@code domain/name} outside {@code kubernetes.io} ({@code nvidia.com/gpu}). */
    public static boolean isExtended(String name) {
        return !isNative(name) && !name.startsWith("requests.");
    }

    /** {@code IsHugePageResourceName}. */
    public static boolean isHugePages(String name) {
        return name.startsWith("hugepages-");
    }

    /**
     * {@code IsOvercommitAllowed}: only native resources other than huge pages may request less
     * than their limit; for the others the apiserver requires a limit, and a request equal to it.
     */
    public static boolean overcommitAllowed(String name) {
        return isNative(name) && !isHugePages(name);
    }
}
