package io.jiso.nativegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The typed constants ({@link Linux}) against their generator and against the
 * look-ups by name ({@link Abi}), on both architectures: the class is loaded
 * once per architecture in its own class loader, with os.arch naming that
 * architecture while it initializes, so the aarch64 branch runs on x86_64 too.
 * No root needed.
 */
class LinuxConstantsTest {
    @Test
    void committedClassIsWhatTheGeneratorWrites() throws Exception {
        Path module = Path.of("").toAbsolutePath();
        String committed = Files.readString(module.resolve(ConstantsGenerator.OUTPUT));
        assertEquals(
                ConstantsGenerator.render(module),
                committed,
                "io.jiso.nativegen.Linux is stale: run jiso-native-gen/src/main/jextract/generate.sh, or "
                        + "java jiso-native-gen/src/test/java/io/jiso/nativegen/ConstantsGenerator.java jiso-native-gen");
    }

    @Test
    void valuesAreThoseOfEachArchitecture() throws Exception {
        for (String arch : ConstantsGenerator.ARCHS) {
            Abi abi = Abi.of(arch);
            List<Field> fields = constantsAsOn(arch);
            assertTrue(fields.size() > 1000, arch + ": only " + fields.size() + " constants");
            List<String> wrong = new ArrayList<>();
            for (Field f : fields) {
                long typed = f.getType() == int.class ? f.getInt(null) : f.getLong(null);
                long byName = f.getType() == int.class ? abi.intConstant(f.getName()) : abi.longConstant(f.getName());
                if (typed != byName) {
                    wrong.add(f.getName() + " = " + typed + ", by name " + byName);
                }
            }
            assertEquals(List.of(), wrong, arch);
        }
    }

    @Test
    void syscallNumbersDifferBetweenTheArchitectures() throws Exception {
        // Guards the test above: were both branches the same class, it would pass for both.
        assertEquals(
                Abi.of("x86_64").syscall("openat"),
                constantsAsOn("x86_64").stream()
                        .filter(f -> f.getName().equals("__NR_openat"))
                        .findFirst()
                        .orElseThrow()
                        .getInt(null));
        assertEquals(
                Abi.of("aarch64").syscall("openat"),
                constantsAsOn("aarch64").stream()
                        .filter(f -> f.getName().equals("__NR_openat"))
                        .findFirst()
                        .orElseThrow()
                        .getInt(null));
        assertTrue(Abi.of("x86_64").syscall("openat") != Abi.of("aarch64").syscall("openat"));
    }

    /** The public constants of a fresh copy of io.jiso.nativegen.Linux initialized as on arch. */
    private static List<Field> constantsAsOn(String arch) throws Exception {
        URL classes = Linux.class.getProtectionDomain().getCodeSource().getLocation();
        ClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
        String osArch = System.getProperty("os.arch");
        Class<?> linux;
        try {
            System.setProperty("os.arch", arch);
            linux = Class.forName(Linux.class.getName(), true, loader);
        } finally {
            System.setProperty("os.arch", osArch);
        }
        assertEquals(loader, linux.getClassLoader());
        List<Field> fields = new ArrayList<>();
        for (Field f : linux.getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers())) {
                fields.add(f);
            }
        }
        return fields;
    }
}
