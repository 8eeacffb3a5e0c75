import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step (run as {@code java src/build/RetargetClassFiles.java JAR}): rewrites the class files
 * of JAR that are older than Java 6 (version 50) as Java 8 class files, with the stack maps the
 * JDK's class-file API computes, in place. A Java AOT cache holds no class older than that, so
 * such a library's classes were read and verified at every start; picocli is compiled for Java 5.
 * The bytecode is the library's own, instruction for instruction: only the version and the stack
 * maps a version-50+ class carries are new. Other entries are copied as they are. No library
 * does this for a jar at build time (shading relocates, it does not re-target).
 */
public final class RetargetClassFiles {

    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java RetargetClassFiles.java JAR");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".retargeted");
        int rewritten = 0;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
             ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            // Stack maps need the common super class of two types at a merge point: picocli's own
            // classes are read from the jar, the JDK's from the running JDK.
            ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
            for (ZipEntry entry : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                    ClassModel model = classFile.parse(bytes);
                    if (model.majorVersion() < ClassFile.JAVA_6_VERSION) {
                        // Every method body goes through the code builder, which computes its stack maps.
                        ClassTransform retarget = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                                .andThen((builder, element) -> {
                                    if (element instanceof ClassFileVersion) {
                                        builder.withVersion(TARGET, 0);
                                    } else {
                                        builder.with(element);
                                    }
                                });
                        bytes = classFile.transformClass(model, retarget);
                        rewritten++;
                    }
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                zip.putNextEntry(copy);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println(jar.getFileName() + ": " + rewritten + " class files re-targeted to Java 8");
    }
}
