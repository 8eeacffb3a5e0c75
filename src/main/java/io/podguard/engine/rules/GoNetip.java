package io.podguard.engine.rules;

import io.podguard.engine.Text;

/**
 * Go's {@code netip.ParseAddr}, ported line by line, so that {@code ip()} and {@code cidr()}
 * accept exactly the addresses the apiserver accepts and refuse the others in its words
 * ({@code ParseAddr("2001:db8:::68"): each colon-separated field must have at least one digit
 * (at ":68")}). Written by hand: Java's and Guava's parsers accept other forms (octets with
 * leading zeros, say) and say nothing of why.
 */
final class GoNetip {

    /** A parsed address: 4 or 16 bytes, its zone ({@code ""} for none). */
    record Addr(byte[] bytes, String zone) {
        /** An IPv4 address written as IPv6 ({@code ::ffff:1.2.3.4}). */
        boolean is4In6() {
            if (bytes.length != 16) {
                return false;
            }
            for (int i = 0; i < 10; i++) {
                if (bytes[i] != 0) {
                    return false;
                }
            }
            return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
        }
    }

    /** A refusal, worded as Go's {@code parseAddrError}. */
    static final class ParseError extends Exception {
        ParseError(String in, String msg, String at) {
            super("ParseAddr(" + Text.goQuote(in) + "): " + msg + (at == null || at.isEmpty() ? "" : " (at " + Text.goQuote(at) + ")"),
                    null, false, false);
        }
    }

    private GoNetip() {
    }

    static Addr parseAddr(String s) throws ParseError {
        for (int i = 0; i < s.length(); i++) {
            switch (s.charAt(i)) {
                case '.' -> {
                    return new Addr(parseIPv4(s), "");
                }
                case ':' -> {
                    return parseIPv6(s);
                }
                case '%' -> throw new ParseError(s, "missing IPv6 address", null);
                default -> {
                }
            }
        }
        throw new ParseError(s, "unable to parse IP", null);
    }

    private static byte[] parseIPv4(String s) throws ParseError {
        byte[] fields = new byte[4];
        parseIPv4Fields(s, 0, s.length(), fields, 0);
        return fields;
    }

    private static void parseIPv4Fields(String in, int off, int end, byte[] fields, int at) throws ParseError {
        int val = 0;
        int pos = 0;
        int digLen = 0;
        String s = in.substring(off, end);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digLen == 1 && val == 0) {
                    throw new ParseError(in, "IPv4 field has octet with leading zero", null);
                }
                val = val * 10 + (c - '0');
                digLen++;
                if (val > 255) {
                    throw new ParseError(in, "IPv4 field has value >255", null);
                }
            } else if (c == '.') {
                if (i == 0 || i == s.length() - 1 || s.charAt(i - 1) == '.') {
                    throw new ParseError(in, "IPv4 field must have at least one digit", s.substring(i));
                }
                if (pos == 3) {
                    throw new ParseError(in, "IPv4 address too long", null);
                }
                fields[at + pos] = (byte) val;
                pos++;
                val = 0;
                digLen = 0;
            } else {
                throw new ParseError(in, "unexpected character", s.substring(i));
            }
        }
        if (pos < 3) {
            throw new ParseError(in, "IPv4 address too short", null);
        }
        fields[at + 3] = (byte) val;
    }

    private static Addr parseIPv6(String in) throws ParseError {
        String s = in;
        String zone = "";
        int z = s.indexOf('%');
        if (z != -1) {
            zone = s.substring(z + 1);
            s = s.substring(0, z);
            if (zone.isEmpty()) {
                throw new ParseError(in, "zone must be a non-empty string", null);
            }
        }
        byte[] ip = new byte[16];
        int ellipsis = -1;
        if (s.length() >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
            ellipsis = 0;
            s = s.substring(2);
            if (s.isEmpty()) {
                return new Addr(ip, zone);
            }
        }
        int i = 0;
        while (i < 16) {
            int off = 0;
            int acc = 0;
            for (; off < s.length(); off++) {
                char c = s.charAt(off);
                if (c >= '0' && c <= '9') {
                    acc = (acc << 4) + (c - '0');
                } else if (c >= 'a' && c <= 'f') {
                    acc = (acc << 4) + (c - 'a' + 10);
                } else if (c >= 'A' && c <= 'F') {
                    acc = (acc << 4) + (c - 'A' + 10);
                } else {
                    break;
                }
                if (off > 3) {
                    throw new ParseError(in, "each group must have 4 or less digits", s);
                }
                if (acc > 0xFFFF) {
                    throw new ParseError(in, "IPv6 field has value >=2^16", s);
                }
            }
            if (off == 0) {
                throw new ParseError(in, "each colon-separated field must have at least one digit", s);
            }
            if (off < s.length() && s.charAt(off) == '.') {
                if (ellipsis < 0 && i != 12) {
                    throw new ParseError(in, "embedded IPv4 address must replace the final 2 fields of the address", s);
                }
                if (i + 4 > 16) {
                    throw new ParseError(in, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
                }
                int end = in.length();
                if (!zone.isEmpty()) {
                    end -= zone.length() + 1;
                }
                parseIPv4Fields(in, end - s.length(), end, ip, i);
                s = "";
                i += 4;
                break;
            }
            ip[i] = (byte) (acc >> 8);
            ip[i + 1] = (byte) acc;
            i += 2;
            s = s.substring(off);
            if (s.isEmpty()) {
                break;
            }
            if (s.charAt(0) != ':') {
                throw new ParseError(in, "unexpected character, want colon", s);
            } else if (s.length() == 1) {
                throw new ParseError(in, "colon must be followed by more characters", s);
            }
            s = s.substring(1);
            if (s.charAt(0) == ':') {
                if (ellipsis >= 0) {
                    throw new ParseError(in, "multiple :: in address", s);
                }
                ellipsis = i;
                s = s.substring(1);
                if (s.isEmpty()) {
                    break;
                }
            }
        }
        if (!s.isEmpty()) {
            throw new ParseError(in, "trailing garbage after address", s);
        }
        if (i < 16) {
            if (ellipsis < 0) {
                throw new ParseError(in, "address string too short", null);
            }
            int n = 16 - i;
            for (int j = i - 1; j >= ellipsis; j--) {
                ip[j + n] = ip[j];
            }
            for (int j = ellipsis; j < ellipsis + n; j++) {
                ip[j] = 0;
            }
        } else if (ellipsis >= 0) {
            throw new ParseError(in, "the :: must expand to at least one field of zeros", null);
        }
        return new Addr(ip, zone);
    }
}
