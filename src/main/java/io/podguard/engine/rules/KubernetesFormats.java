package io.podguard.engine.rules;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.ListType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.OptionalType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelFunctionBinding;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Kubernetes' {@code format} library (library/format.go): {@code format.dns1123Label()} and
 * friends, {@code format.named("…")}, and {@code validate(str)}, which answers
 * {@code optional.none()} for a valid string and the apimachinery validation messages otherwise.
 */
final class KubernetesFormats {

    static final OpaqueType TYPE = OpaqueType.create("kubernetes.NamedFormat");

    /** A named format and its validation. */
    record Format(String name, int maxRegexSize, Function<String, List<String>> validate) {
    }

    private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    private static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String LABEL_VALUE_FMT = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
    private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final Pattern DNS1123_LABEL = Pattern.compile(DNS1123_LABEL_FMT);
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN_FMT);
    private static final Pattern DNS1035_LABEL = Pattern.compile(DNS1035_LABEL_FMT);
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
    private static final Pattern QUALIFIED_NAME = Pattern.compile(QUALIFIED_NAME_FMT);
    private static final Pattern UUID = Pattern.compile(
            "(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$");
    private static final Pattern DATE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}$");

    static final Map<String, Format> FORMATS = formats();

    private KubernetesFormats() {
    }

    private static Map<String, Format> formats() {
        Map<String, Format> m = new LinkedHashMap<>();
        m.put("dns1123Label", new Format("DNS1123Label", 30, s -> dns1123Label(s)));
        m.put("dns1123Subdomain", new Format("DNS1123Subdomain", 60, s -> dns1123Subdomain(s)));
        m.put("dns1035Label", new Format("DNS1035Label", 30, s -> dns1035Label(s)));
        m.put("qualifiedName", new Format("QualifiedName", 60, KubernetesFormats::qualifiedName));
        m.put("dns1123LabelPrefix", new Format("DNS1123LabelPrefix", 30, s -> dns1123Label(maskTrailingDash(s))));
        m.put("dns1123SubdomainPrefix", new Format("DNS1123SubdomainPrefix", 60, s -> dns1123Subdomain(maskTrailingDash(s))));
        m.put("dns1035LabelPrefix", new Format("DNS1035LabelPrefix", 30, s -> dns1035Label(maskTrailingDash(s))));
        m.put("labelValue", new Format("LabelValue", 40, KubernetesFormats::labelValue));
        m.put("uri", new Format("URI", 1103, s -> {
            try {
                KubernetesUrls.parse(s);
                return List.of();
            } catch (dev.cel.runtime.CelEvaluationException e) {
                return List.of(e.getMessage().replace("URL parse error during conversion from string: ", ""));
            }
        }));
        m.put("uuid", new Format("uuid", 70, s -> UUID.matcher(s).matches() ? List.of() : List.of("does not match the UUID format")));
        m.put("byte", new Format("byte", 84, s -> {
            // Go's base64.StdEncoding: line breaks skipped, padding required (Java's decoder does without)
            String data = s.replace("\r", "").replace("\n", "");
            if (data.length() % 4 != 0) {
                return List.of("invalid base64");
            }
            try {
                java.util.Base64.getDecoder().decode(data);
                return List.of();
            } catch (IllegalArgumentException e) {
                return List.of("invalid base64");
            }
        }));
        m.put("date", new Format("date", 71, s -> validDate(s) ? List.of() : List.of("invalid date")));
        m.put("datetime", new Format("datetime", 71, s -> validDateTime(s) ? List.of() : List.of("invalid datetime")));
        return Map.copyOf(m);
    }

    static List<CelFunctionDecl> declarations() {
        List<CelFunctionDecl> out = new ArrayList<>();
        for (String name : FORMATS.keySet()) {
            out.add(CelFunctionDecl.newFunctionDeclaration("format." + name,
                    CelOverloadDecl.newGlobalOverload("format." + name, TYPE)));
        }
        out.add(CelFunctionDecl.newFunctionDeclaration("format.named",
                CelOverloadDecl.newGlobalOverload("format-named", OptionalType.create(TYPE), SimpleType.STRING)));
        out.add(CelFunctionDecl.newFunctionDeclaration("validate",
                CelOverloadDecl.newMemberOverload("format-validate", OptionalType.create(ListType.create(SimpleType.STRING)),
                        TYPE, SimpleType.STRING)));
        return out;
    }

    static List<CelFunctionBinding> bindings() {
        List<CelFunctionBinding> out = new ArrayList<>();
        for (Map.Entry<String, Format> e : FORMATS.entrySet()) {
            Format f = e.getValue();
            out.add(CelFunctionBinding.from("format." + e.getKey(), List.of(), args -> f));
        }
        out.add(CelFunctionBinding.from("format-named", String.class, name -> Optional.ofNullable(FORMATS.get(name))));
        out.add(CelFunctionBinding.from("format-validate", Format.class, String.class, (f, s) -> {
            List<String> errors = f.validate().apply(s);
            return errors.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(errors));
        }));
        return out;
    }

    private static String maskTrailingDash(String name) {
        return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 2) + "a" : name;
    }

    private static String regexError(String msg, String fmt, String... examples) {
        StringBuilder b = new StringBuilder(msg).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                b.append(" or ");
            }
            b.append('\'').append(examples[i]).append("', ");
        }
        return b.append("regex used for validation is '").append(fmt).append("')").toString();
    }

    private static List<String> dns1123Label(String s) {
        List<String> errs = new ArrayList<>();
        if (s.length() > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!DNS1123_LABEL.matcher(s).matches()) {
            errs.add(DNS1123_SUBDOMAIN.matcher(s).matches() ? "must not contain dots" : regexError(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    DNS1123_LABEL_FMT, "my-name", "123-abc"));
        }
        return errs;
    }

    private static List<String> dns1123Subdomain(String s) {
        List<String> errs = new ArrayList<>();
        if (s.length() > 253) {
            errs.add("must be no more than 253 characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(s).matches()) {
            errs.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                    DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
        return errs;
    }

    private static List<String> dns1035Label(String s) {
        List<String> errs = new ArrayList<>();
        if (s.length() > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!DNS1035_LABEL.matcher(s).matches()) {
            errs.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                    DNS1035_LABEL_FMT, "my-name", "abc-123"));
        }
        return errs;
    }

    private static List<String> labelValue(String s) {
        List<String> errs = new ArrayList<>();
        if (s.length() > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!LABEL_VALUE.matcher(s).matches()) {
            errs.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                    LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    /** apimachinery's {@code IsQualifiedName}: its messages, none for a valid name. */
    static List<String> qualifiedName(String s) {
        List<String> errs = new ArrayList<>();
        String[] parts = s.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            if (parts[0].isEmpty()) {
                errs.add("prefix part must be non-empty");
            } else {
                for (String m : dns1123Subdomain(parts[0])) {
                    errs.add("prefix part " + m);
                }
            }
            name = parts[1];
        } else {
            return List.of(regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                    QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc") + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        }
        if (name.isEmpty()) {
            errs.add("name part must be non-empty");
        } else if (name.length() > 63) {
            errs.add("name part must be no more than 63 characters");
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            errs.add("name part " + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                    QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    private static boolean validDate(String s) {
        if (!DATE.matcher(s).matches()) {
            return false;
        }
        try {
            java.time.LocalDate.parse(s);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static boolean validDateTime(String s) {
        try {
            java.time.OffsetDateTime.parse(s);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }
}
