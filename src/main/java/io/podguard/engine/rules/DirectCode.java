package io.podguard.engine.rules;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DirectProgram}'s tree emitted as the body of one method of a hidden class, so that an
 * expression is straight code the JIT compiles and inlines as a whole: no node object read and no
 * virtual call made per node, the costs that dominate a tree walked in a server whose caches the
 * network and TLS share. Each node emits its own code ({@code DirectProgram.Node#emit}), which
 * calls the same static steps its {@code eval} calls, so the two cannot differ in what they compute;
 * a node with no code of its own emits a call of its {@code eval} (the tree, from there down).
 *
 * <p>Values a node needs that are not a string or an int (a constant record, the node itself, a
 * function binding) are the hidden class's class data, loaded as dynamic constants the JIT
 * folds. Written by hand over the JDK's class-file API: no library emits a CEL tree as bytecode.
 */
final class DirectCode {

    /**
     * The largest class emitted, in bytes: a method past HotSpot's limit for compiling
     * ({@code -XX:-DontCompileHugeMethods}, 8,000 bytes of code) would only ever be interpreted,
     * slower than the tree it replaces.
     */
    static final int MOST_BYTES = 7_000;

    private static final ClassDesc HOST = desc(DirectProgram.class);
    private static final ClassDesc CODE = desc(DirectProgram.Code.class);
    private static final ClassDesc FRAME = desc(DirectProgram.Frame.class);
    private static final ClassDesc NAME = ClassDesc.of(DirectProgram.class.getPackageName() + ".DirectRule");
    /** The class-file context: the JDK's classes, and this package's through its class loader, for the stack maps. */
    private static final ClassFile FILES = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
            ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(DirectProgram.class.getClassLoader()))));

    private final CodeBuilder code;
    private final List<Object> data;
    private final int slots;

    private DirectCode(CodeBuilder code, List<Object> data, int slots) {
        this.code = code;
        this.data = data;
        this.slots = slots;
    }

    /**
     * The bytes of a hidden class extending {@code DirectProgram.Code} whose {@code eval(frame)}
     * evaluates {@code root}, and its class data; null when the code would be too large to be compiled.
     */
    static @Nullable Emitted emit(DirectProgram.Node root) {
        List<Object> data = new ArrayList<>();
        byte[] bytes = FILES.build(NAME, c -> {
            c.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            c.withSuperclass(CODE);
            c.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, b -> b
                    .aload(0)
                    .invokespecial(CODE, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                    .return_());
            c.withMethodBody("eval", MethodTypeDesc.of(ConstantDescs.CD_Object, FRAME), 0, b -> {
                int slots = b.allocateLocal(TypeKind.REFERENCE);
                b.aload(1)
                        .invokevirtual(FRAME, "slots", MethodTypeDesc.of(ConstantDescs.CD_Object.arrayType()))
                        .astore(slots);
                root.emit(new DirectCode(b, data, slots));
                b.areturn();
            });
        });
        return bytes.length > MOST_BYTES ? null : new Emitted(bytes, List.copyOf(data));
    }

    /** A class emitted and the values its constants load. */
    record Emitted(byte[] bytes, List<Object> data) {
    }

    private static ClassDesc desc(Class<?> c) {
        return c.describeConstable().orElseThrow();
    }

    /** The builder of the method's code. */
    CodeBuilder code() {
        return code;
    }

    /** Loads {@code value}: a string or int as itself, anything else as an {@code Object} from the class data. */
    DirectCode constant(Object value) {
        if (value instanceof String s) {
            code.loadConstant(s);
        } else if (value instanceof Integer i) {
            code.loadConstant(i.intValue());
        } else {
            constant(value, Object.class);
        }
        return this;
    }

    /** Loads {@code value} from the class data as a {@code type} (one this package can name). */
    DirectCode constant(Object value, Class<?> type) {
        data.add(value);
        code.loadConstant(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME,
                desc(type), data.size() - 1));
        return this;
    }

    /** Loads the evaluation's frame. */
    DirectCode frame() {
        code.aload(1);
        return this;
    }

    /** Loads the frame's slots. */
    DirectCode slots() {
        code.aload(slots);
        return this;
    }

    /** Calls {@code DirectProgram}'s static step {@code name}. */
    DirectCode step(String name, Class<?> returns, Class<?>... parameters) {
        code.invokestatic(HOST, name, type(returns, parameters));
        return this;
    }

    /** Calls the instance method {@code name} of the class {@code owner} (not an interface). */
    DirectCode virtual(Class<?> owner, String name, Class<?> returns, Class<?>... parameters) {
        code.invokevirtual(desc(owner), name, type(returns, parameters));
        return this;
    }

    /** Calls the method {@code name} of the interface {@code owner}. */
    DirectCode onInterface(Class<?> owner, String name, Class<?> returns, Class<?>... parameters) {
        code.invokeinterface(desc(owner), name, type(returns, parameters));
        return this;
    }

    /** Boxes the JVM boolean on the stack as a {@code Boolean}. */
    DirectCode box() {
        code.invokestatic(ConstantDescs.CD_Boolean, "valueOf", MethodTypeDesc.of(ConstantDescs.CD_Boolean, ConstantDescs.CD_boolean));
        return this;
    }

    /** A new local variable holding a reference. */
    int reference() {
        return code.allocateLocal(TypeKind.REFERENCE);
    }

    /** A new local variable holding an int. */
    int integer() {
        return code.allocateLocal(TypeKind.INT);
    }

    Label label() {
        return code.newLabel();
    }

    /** Jumps to {@code target} when the JVM boolean on the stack is {@code value}, taking it off. */
    DirectCode jumpIf(boolean value, Label target) {
        if (value) {
            code.ifne(target);
        } else {
            code.ifeq(target);
        }
        return this;
    }

    private static MethodTypeDesc type(Class<?> returns, Class<?>... parameters) {
        return MethodType.methodType(returns, parameters).describeConstable().orElseThrow();
    }
}
