package io.podguard.engine;

/**
 * An image as the container runtime resolves it, for matching against image patterns:
 * {@code nginx:1.27} is {@code docker.io/library/nginx:1.27}, {@code istio/proxyv2:1.24} is
 * {@code docker.io/istio/proxyv2:1.24}. Written by hand (docker's reference normalisation is a
 * dozen lines; the libraries that parse references bring a registry client along).
 */
public final class ImageReferences {

    public static final String DOCKER_HUB = "docker.io";

    private ImageReferences() {
    }

    /** The fully qualified form of {@code image}: the registry host first, Docker Hub's {@code library/} made explicit. */
    public static String normalize(String image) {
        if (image.length() > Glob.MAX_VALUE_LENGTH) {
            return image; // no runtime pulls such a name, and no pattern matches it: not worth a copy
        }
        int slash = image.indexOf('/');
        String host;
        String path;
        if (slash > 0 && isHost(image.substring(0, slash))) {
            host = image.substring(0, slash);
            path = image.substring(slash + 1);
        } else {
            host = DOCKER_HUB;
            path = image;
        }
        if ("index.docker.io".equals(host)) {
            host = DOCKER_HUB;
        }
        if (DOCKER_HUB.equals(host) && path.indexOf('/') < 0) {
            path = "library/" + path;
        }
        return host + "/" + path;
    }

    /** As docker decides: the first component names a registry when it has a dot or a port, or is localhost. */
    public static boolean isHost(String component) {
        return component.indexOf('.') >= 0 || component.indexOf(':') >= 0 || "localhost".equals(component);
    }
}
