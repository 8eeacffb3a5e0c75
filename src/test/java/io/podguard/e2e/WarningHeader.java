package io.podguard.e2e;

/**
 * The text of an HTTP {@code Warning} header as kube-apiserver sends it ({@code 299 - "text"},
 * RFC 7234 quoted string), which is what kubectl prints after {@code Warning: }.
 */
final class WarningHeader {

    private WarningHeader() {
    }

    static String text(String header) {
        int open = header.indexOf('"');
        int close = header.lastIndexOf('"');
        if (open < 0 || close <= open) {
            return header;
        }
        String quoted = header.substring(open + 1, close);
        StringBuilder text = new StringBuilder(quoted.length());
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (c == '\\' && i + 1 < quoted.length()) {
                c = quoted.charAt(++i);
            }
            text.append(c);
        }
        return text.toString();
    }
}
