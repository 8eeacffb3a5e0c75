package io.podguard.engine.rules;

import com.google.common.net.InetAddresses;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import io.podguard.engine.Text;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;

/**
 * Kubernetes' {@code ip} and {@code cidr} libraries (library/ip.go, library/cidr.go), with Go's
 * {@code netip} parsing: no leading zeros in IPv4 octets, no zones, no IPv4-mapped IPv6, the
 * canonical text of RFC 5952 ({@link GoNetip}: Go's parser, ported, with its words). Parsing never looks a name up.
 */
final class KubernetesIps {

    static final OpaqueType IP = OpaqueType.create("net.IP");
    static final OpaqueType CIDR = OpaqueType.create("net.CIDR");

    /** An address: 4 or 16 bytes. */
    record Ip(byte[] bytes) {
        int family() {
            return bytes.length == 4 ? 4 : 6;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ip other && java.util.Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            try {
                return InetAddresses.toAddrString(InetAddress.getByAddress(bytes));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A prefix: its address as written and its length. */
    record Cidr(Ip ip, int bits) {
        Cidr masked() {
            byte[] b = ip.bytes().clone();
            for (int i = 0; i < b.length; i++) {
                int keep = Math.max(0, Math.min(8, bits - i * 8));
                b[i] = (byte) (b[i] & (0xff << (8 - keep)));
            }
            return new Cidr(new Ip(b), bits);
        }

        boolean contains(Ip other) {
            return other.family() == ip.family() && new Cidr(other, bits).masked().ip().equals(masked().ip());
        }

        @Override
        public String toString() {
            return ip + "/" + bits;
        }
    }

    private KubernetesIps() {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                CelFunctionDecl.newFunctionDeclaration("ip",
                        CelOverloadDecl.newGlobalOverload("string_to_ip", IP, SimpleType.STRING),
                        CelOverloadDecl.newMemberOverload("cidr_ip", IP, CIDR)),
                CelFunctionDecl.newFunctionDeclaration("family", CelOverloadDecl.newMemberOverload("ip_family", SimpleType.INT, IP)),
                CelFunctionDecl.newFunctionDeclaration("ip.isCanonical",
                        CelOverloadDecl.newGlobalOverload("ip_is_canonical", SimpleType.BOOL, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("isUnspecified", CelOverloadDecl.newMemberOverload("ip_is_unspecified", SimpleType.BOOL, IP)),
                CelFunctionDecl.newFunctionDeclaration("isLoopback", CelOverloadDecl.newMemberOverload("ip_is_loopback", SimpleType.BOOL, IP)),
                CelFunctionDecl.newFunctionDeclaration("isLinkLocalMulticast",
                        CelOverloadDecl.newMemberOverload("ip_is_link_local_multicast", SimpleType.BOOL, IP)),
                CelFunctionDecl.newFunctionDeclaration("isLinkLocalUnicast",
                        CelOverloadDecl.newMemberOverload("ip_is_link_local_unicast", SimpleType.BOOL, IP)),
                CelFunctionDecl.newFunctionDeclaration("isGlobalUnicast",
                        CelOverloadDecl.newMemberOverload("ip_is_global_unicast", SimpleType.BOOL, IP)),
                CelFunctionDecl.newFunctionDeclaration("isIP", CelOverloadDecl.newGlobalOverload("is_ip", SimpleType.BOOL, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("string",
                        CelOverloadDecl.newGlobalOverload("ip_to_string", SimpleType.STRING, IP),
                        CelOverloadDecl.newGlobalOverload("cidr_to_string", SimpleType.STRING, CIDR)),
                CelFunctionDecl.newFunctionDeclaration("cidr", CelOverloadDecl.newGlobalOverload("string_to_cidr", CIDR, SimpleType.STRING)),
                CelFunctionDecl.newFunctionDeclaration("containsIP",
                        CelOverloadDecl.newMemberOverload("cidr_contains_ip_string", SimpleType.BOOL, CIDR, SimpleType.STRING),
                        CelOverloadDecl.newMemberOverload("cidr_contains_ip_ip", SimpleType.BOOL, CIDR, IP)),
                CelFunctionDecl.newFunctionDeclaration("containsCIDR",
                        CelOverloadDecl.newMemberOverload("cidr_contains_cidr_string", SimpleType.BOOL, CIDR, SimpleType.STRING),
                        CelOverloadDecl.newMemberOverload("cidr_contains_cidr", SimpleType.BOOL, CIDR, CIDR)),
                CelFunctionDecl.newFunctionDeclaration("prefixLength",
                        CelOverloadDecl.newMemberOverload("cidr_prefix_length", SimpleType.INT, CIDR)),
                CelFunctionDecl.newFunctionDeclaration("masked", CelOverloadDecl.newMemberOverload("cidr_masked", CIDR, CIDR)),
                CelFunctionDecl.newFunctionDeclaration("isCIDR", CelOverloadDecl.newGlobalOverload("is_cidr", SimpleType.BOOL, SimpleType.STRING)));
    }

    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("string_to_ip", String.class, KubernetesIps::parseIp),
                CelFunctionBinding.from("cidr_ip", Cidr.class, Cidr::ip),
                CelFunctionBinding.from("ip_family", Ip.class, ip -> (long) ip.family()),
                CelFunctionBinding.from("ip_is_canonical", String.class, s -> parseIp(s).toString().equals(s)),
                CelFunctionBinding.from("ip_is_unspecified", Ip.class, ip -> isZero(ip.bytes())),
                CelFunctionBinding.from("ip_is_loopback", Ip.class, KubernetesIps::isLoopback),
                CelFunctionBinding.from("ip_is_link_local_multicast", Ip.class, KubernetesIps::isLinkLocalMulticast),
                CelFunctionBinding.from("ip_is_link_local_unicast", Ip.class, KubernetesIps::isLinkLocalUnicast),
                CelFunctionBinding.from("ip_is_global_unicast", Ip.class, KubernetesIps::isGlobalUnicast),
                CelFunctionBinding.from("is_ip", String.class, s -> {
                    try {
                        parseIp(s);
                        return true;
                    } catch (CelEvaluationException e) {
                        return false;
                    }
                }),
                CelFunctionBinding.from("ip_to_string", Ip.class, Ip::toString),
                CelFunctionBinding.from("cidr_to_string", Cidr.class, Cidr::toString),
                CelFunctionBinding.from("string_to_cidr", String.class, KubernetesIps::parseCidr),
                CelFunctionBinding.from("cidr_contains_ip_string", Cidr.class, String.class, (c, s) -> c.contains(parseIp(s))),
                CelFunctionBinding.from("cidr_contains_ip_ip", Cidr.class, Ip.class, Cidr::contains),
                CelFunctionBinding.from("cidr_contains_cidr_string", Cidr.class, String.class, (c, s) -> containsCidr(c, parseCidr(s))),
                CelFunctionBinding.from("cidr_contains_cidr", Cidr.class, Cidr.class, KubernetesIps::containsCidr),
                CelFunctionBinding.from("cidr_prefix_length", Cidr.class, c -> (long) c.bits()),
                CelFunctionBinding.from("cidr_masked", Cidr.class, Cidr::masked),
                CelFunctionBinding.from("is_cidr", String.class, s -> {
                    try {
                        parseCidr(s);
                        return true;
                    } catch (CelEvaluationException e) {
                        return false;
                    }
                }));
    }

    private static boolean containsCidr(Cidr c, Cidr other) {
        return other.bits() >= c.bits() && c.contains(other.ip());
    }

    /** The library's parseIPAddr: Go's netip.ParseAddr, then no zone and no IPv4-mapped IPv6 address. */
    static Ip parseIp(String raw) throws CelEvaluationException {
        GoNetip.Addr addr;
        try {
            addr = GoNetip.parseAddr(raw);
        } catch (GoNetip.ParseError e) {
            throw new CelEvaluationException("IP Address " + Text.goQuote(raw) + " parse error during conversion from string: " + e.getMessage());
        }
        if (!addr.zone().isEmpty()) {
            throw new CelEvaluationException("IP address " + Text.goQuote(raw) + " with zone value is not allowed");
        }
        if (addr.is4In6()) {
            throw new CelEvaluationException("IPv4-mapped IPv6 address " + Text.goQuote(raw) + " is not allowed");
        }
        return new Ip(addr.bytes());
    }

    /** The library's parseCIDR: Go's netip.ParsePrefix, then no IPv4-mapped IPv6 address. */
    static Cidr parseCidr(String raw) throws CelEvaluationException {
        // the apiserver's message says its first words twice
        String prefix = "network address parse error during conversion from string: "
                + "network address parse error during conversion from string: netip.ParsePrefix(" + Text.goQuote(raw) + "): ";
        int slash = raw.lastIndexOf('/');
        if (slash < 0) {
            throw new CelEvaluationException(prefix + "no '/'");
        }
        GoNetip.Addr addr;
        try {
            addr = GoNetip.parseAddr(raw.substring(0, slash));
        } catch (GoNetip.ParseError e) {
            throw new CelEvaluationException(prefix + e.getMessage());
        }
        if (addr.bytes().length == 16 && !addr.zone().isEmpty()) {
            throw new CelEvaluationException(prefix + "IPv6 zones cannot be present in a prefix");
        }
        String bits = raw.substring(slash + 1);
        // strconv.Atoi with neither a sign nor leading zeros
        if (bits.length() > 1 && (bits.charAt(0) < '1' || bits.charAt(0) > '9') || bits.isEmpty()
                || !bits.chars().allMatch(ch -> ch >= '0' && ch <= '9') || bits.length() > 18) {
            throw new CelEvaluationException(prefix + "bad bits after slash: " + Text.goQuote(bits));
        }
        long n = Long.parseLong(bits);
        if (n > addr.bytes().length * 8L) {
            throw new CelEvaluationException(prefix + "prefix length out of range");
        }
        if (addr.is4In6()) {
            throw new CelEvaluationException("IPv4-mapped IPv6 address " + Text.goQuote(raw) + " is not allowed");
        }
        return new Cidr(new Ip(addr.bytes()), (int) n);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLoopback(Ip ip) {
        byte[] b = ip.bytes();
        return b.length == 4 ? (b[0] & 0xff) == 127 : new BigInteger(1, b).equals(BigInteger.ONE);
    }

    private static boolean isLinkLocalMulticast(Ip ip) {
        byte[] b = ip.bytes();
        return b.length == 4 ? (b[0] & 0xff) == 224 && b[1] == 0 && b[2] == 0
                : (b[0] & 0xff) == 0xff && (b[1] & 0x0f) == 0x02;
    }

    private static boolean isLinkLocalUnicast(Ip ip) {
        byte[] b = ip.bytes();
        return b.length == 4 ? (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254
                : (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80;
    }

    private static boolean isGlobalUnicast(Ip ip) {
        byte[] b = ip.bytes();
        if (isZero(b) || isLoopback(ip) || isLinkLocalUnicast(ip)) {
            return false;
        }
        if (b.length == 4) {
            boolean broadcast = (b[0] & b[1] & b[2] & b[3] & 0xff) == 0xff;
            return !broadcast && (b[0] & 0xf0) != 0xe0;
        }
        return (b[0] & 0xff) != 0xff;
    }
}
