package io.podguard.engine.resources;

import java.util.regex.Pattern;

/** The apiserver's quantity syntax: a signed decimal number, then a binary, decimal or exponent suffix. */
final class QuantityFormat {

    private static final Pattern QUANTITY = Pattern.compile(
            "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");

    private QuantityFormat() {
    }

    static boolean isValid(String text) {
        return text != null && text.length() <= 64 && QUANTITY.matcher(text).matches();
    }
}
