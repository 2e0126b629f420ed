package io.jiso.nativegen;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The architecture jiso runs on, and the constants its Linux headers define,
 * looked up by name. Hand-written; the values come from the jextract-generated
 * classes {@code io.jiso.nativegen.<arch>.Linux}, so no syscall number or flag
 * is typed by hand anywhere. Java code names a constant through the typed
 * {@link Linux}; a look-up here is for a name that is data (a syscall of a
 * seccomp policy, an errno name), for the syscall table, and for another
 * architecture's values. Each name costs one reflective call, then is cached.
 */
public final class Abi {
    private static final Abi CURRENT = of(System.getProperty("os.arch"));

    private final String arch;
    private final Class<?> constants;
    private final Map<String, Number> cache = new ConcurrentHashMap<>();

    private Abi(String arch, Class<?> constants) {
        this.arch = arch;
        this.constants = constants;
    }

    /** The ABI of the running JVM. */
    public static Abi current() {
        return CURRENT;
    }

    /**
     * The ABI of an architecture by its Java or kernel name ("amd64", "x86_64",
     * "aarch64", "arm64"); used also to build tables for another architecture.
     */
    public static Abi of(String osArch) {
        String arch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default ->
                throw new UnsupportedOperationException(
                        "jiso supports Linux on x86_64 and aarch64, not os.arch=" + osArch);
        };
        try {
            return new Abi(arch, Class.forName("io.jiso.nativegen." + arch + ".Linux"));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("generated constants for " + arch + " are missing", e);
        }
    }

    /** The kernel's name of the architecture: {@code x86_64} or {@code aarch64}. */
    public String arch() {
        return arch;
    }

    /** The value of a constant (a macro or enum constant) that fits in an int. */
    public int intConstant(String name) {
        long value = longConstant(name);
        if (value != (int) value && value != (value & 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException(name + " = " + value + " does not fit in an int");
        }
        return (int) value;
    }

    /** The value of a constant; throws IllegalArgumentException if this architecture lacks it. */
    public long longConstant(String name) {
        Number n = cache.computeIfAbsent(name, this::read);
        return n.longValue();
    }

    /** Whether this architecture's headers define the constant. */
    public boolean hasConstant(String name) {
        try {
            longConstant(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The number of a system call by its name without prefix, e.g. {@code "mount"}. */
    public int syscall(String name) {
        return intConstant("__NR_" + name);
    }

    /**
     * Macros of the asm-generic table that share the prefix but name no call:
     * {@code __NR_syscalls} is the table's length (the number of the next call
     * a newer kernel adds), {@code __NR_arch_specific_syscall} the start of a
     * block aarch64 leaves empty.
     */
    private static final Set<String> NOT_SYSCALLS = Set.of("__NR_syscalls", "__NR_arch_specific_syscall");

    /** Every system call of this architecture, by name (without the __NR_ prefix). */
    public Map<String, Integer> syscalls() {
        Map<String, Integer> table = new TreeMap<>();
        for (Method m : constants.getMethods()) {
            if (m.getName().startsWith("__NR_")
                    && m.getParameterCount() == 0
                    && Modifier.isStatic(m.getModifiers())
                    && !NOT_SYSCALLS.contains(m.getName())) {
                table.put(m.getName().substring(5), (int) longConstant(m.getName()));
            }
        }
        return table;
    }

    /** The AUDIT_ARCH_* value seccomp reports for native system calls of this architecture. */
    public int auditArch() {
        return intConstant(arch.equals("x86_64") ? "AUDIT_ARCH_X86_64" : "AUDIT_ARCH_AARCH64");
    }

    /**
     * A file built by this module's native build for this architecture:
     * {@code libjiso.so} (the spawn stage) or {@code jiso-init} (PID 1 of a
     * sandbox). Null if the jar was built without it.
     */
    public InputStream nativeResource(String file) {
        return Abi.class.getResourceAsStream("lib/linux-" + arch + "/" + file);
    }

    private Number read(String name) {
        try {
            Method m = constants.getMethod(name);
            if (m.getParameterCount() != 0 || !Modifier.isStatic(m.getModifiers())) {
                throw new IllegalArgumentException(name);
            }
            m.setAccessible(true); // declared in a package-private superclass of Linux
            Object v = m.invoke(null);
            if (v instanceof Number n) {
                return n;
            }
            throw new IllegalArgumentException(name + " is not a number on " + arch);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("no constant " + name + " in the " + arch + " headers");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read constant " + name, e);
        }
    }

    @Override
    public String toString() {
        return "Abi[" + arch + "]";
    }
}
