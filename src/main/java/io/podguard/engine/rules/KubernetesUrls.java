package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes' {@code urls} library (library/urls.go): {@code url()}, {@code isURL()} and the
 * getters, with Go's {@code url.ParseRequestURI} rules: an absolute URL or an absolute path, no
 * fragment. Written by hand because {@code java.net.URI} accepts and splits differently from Go.
 */
final class KubernetesUrls {

    static final OpaqueType TYPE = OpaqueType.create("kubernetes.URL");

    /** A parsed URL. */
    record Url(String scheme, String host, String escapedPath, String rawQuery) {
        @Override
        public String toString() {
            return (scheme.isEmpty() ? "" : scheme + ":") + (host.isEmpty() && scheme.isEmpty() ? "" : "//" + host) + escapedPath
                    + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
        }
    }

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*");

    private KubernetesUrls() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("url", CelOverloadDecl.newGlobalOverload("string_to_url", TYPE, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("isURL", CelOverloadDecl.newGlobalOverload("is_url_string", SimpleType.BOOL, SimpleType.STRING)),
                member("getScheme", "url_get_scheme", SimpleType.STRING),
                member("getHost", "url_get_host", SimpleType.STRING),
                member("getHostname", "url_get_hostname", SimpleType.STRING),
                member("getPort", "url_get_port", SimpleType.STRING),
                member("getEscapedPath", "url_get_escaped_path", SimpleType.STRING),
                member("getQuery", "url_get_query", MapType.create(SimpleType.STRING, ListType.create(SimpleType.STRING))));
    }

    private static CelFunctionDecl member(String name, String id, dev.cel.common.types.CelType result) {
        return CelFunctionDecl.newFunctionDeclaration(name, CelOverloadDecl.newMemberOverload(id, result, TYPE));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("string_to_url", String.class, KubernetesUrls::parse),
                CelFunctionBinding.from("is_url_string", String.class, s -> {
                    try {
                        parse(s);
                        return true;
                    } catch (CelEvaluationException e) {
                        return false;
                    }
                }),
                CelFunctionBinding.from("url_get_scheme", Url.class, Url::scheme),
                CelFunctionBinding.from("url_get_host", Url.class, Url::host),
                CelFunctionBinding.from("url_get_hostname", Url.class, KubernetesUrls::hostname),
                CelFunctionBinding.from("url_get_port", Url.class, KubernetesUrls::port),
                CelFunctionBinding.from("url_get_escaped_path", Url.class, Url::escapedPath),
                CelFunctionBinding.from("url_get_query", Url.class, KubernetesUrls::query));
    }

    static Url parse(String s) throws CelEvaluationException {
        String error = "URL parse error during conversion from string: parse \"" + s + "\": ";
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new CelEvaluationException(error + "net/url: invalid control character in URL");
            }
        }
        String rest = s;
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String scheme = "";
        int colon = rest.indexOf(':');
        if (colon > 0 && SCHEME.matcher(rest.substring(0, colon)).matches()) {
            scheme = rest.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            rest = rest.substring(colon + 1);
        } else if (colon == 0) {
            throw new CelEvaluationException(error + "missing protocol scheme");
        }
        if (!rest.startsWith("/") && scheme.isEmpty()) {
            throw new CelEvaluationException(error + "invalid URI for request");
        }
        String host = "";
        if (rest.startsWith("//") && (!scheme.isEmpty() || true)) {
            int end = rest.indexOf('/', 2);
            String authority = end < 0 ? rest.substring(2) : rest.substring(2, end);
            rest = end < 0 ? "" : rest.substring(end);
            int at = authority.lastIndexOf('@');
            host = at >= 0 ? authority.substring(at + 1) : authority;
            validHost(host, error);
        } else if (!scheme.isEmpty() && !rest.startsWith("/")) {
            // an opaque URL such as mailto:x is not a request URI's path; Go keeps it opaque
            return new Url(scheme, "", "", query);
        }
        return new Url(scheme, host, rest, query);
    }

    private static void validHost(String host, String error) throws CelEvaluationException {
        String port = "";
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new CelEvaluationException(error + "missing ']' in host");
            }
            String after = host.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new CelEvaluationException(error + "invalid port \"" + after + "\" after host");
            }
            port = after.isEmpty() ? "" : after.substring(1);
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                port = host.substring(colon + 1);
            }
        }
        for (char c : port.toCharArray()) {
            if (c < '0' || c > '9') {
                throw new CelEvaluationException(error + "invalid port \":" + port + "\" after host");
            }
        }
    }

    private static String hostname(Url u) {
        String h = u.host();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h.substring(1) : h.substring(1, close);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static String port(Url u) {
        String h = u.host();
        int close = h.indexOf(']');
        String tail = close >= 0 ? h.substring(close + 1) : h;
        int colon = tail.lastIndexOf(':');
        return colon < 0 ? "" : tail.substring(colon + 1);
    }

    private static Map<String, List<String>> query(Url u) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (u.rawQuery().isEmpty()) {
            return out;
        }
        for (String part : u.rawQuery().split("&", -1)) {
            if (part.isEmpty() || part.contains(";")) {
                continue; // Go's ParseQuery skips what it cannot parse
            }
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            try {
                k = URLDecoder.decode(k, StandardCharsets.UTF_8);
                v = URLDecoder.decode(v, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                continue;
            }
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }
}
