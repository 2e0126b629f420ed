package io.jiso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jiso.IsolatedProcessBuilder;
import io.jiso.ResourceLimit;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line's value syntax at its edges: sizes near overflow and in
 * any case, durations to the nanosecond, and the separators of the compound
 * values (RunArgumentsTest has the common cases through whole command lines).
 */
class ValuesTest {
    private static String refused(Runnable convert) {
        return assertThrows(TypeConversionException.class, convert::run).getMessage();
    }

    @Test
    void sizesArePowersOf1024InAnyCaseWithOrWithoutB() {
        Values.Size size = new Values.Size();
        assertEquals(4096L, size.convert("4096"));
        assertEquals(64L << 10, size.convert("64k"));
        assertEquals(64L << 10, size.convert("64KiB"));
        assertEquals(3L << 20, size.convert("3mb"));
        assertEquals(2L << 30, size.convert("2G"));
        assertEquals(1L << 40, size.convert("1TiB"));
        assertTrue(refused(() -> size.convert("1.5G")).contains("must be a number of bytes"));
        assertTrue(refused(() -> size.convert("-1")).contains("was '-1'"));
        assertTrue(refused(() -> size.convert("1P")).contains("suffix K, M, G or T"));
    }

    @Test
    void aSizeThatWouldOverflowIsRefusedNotWrapped() {
        Values.Size size = new Values.Size();
        assertEquals((Long.MAX_VALUE >> 40 >> 1) << 40, size.convert((Long.MAX_VALUE >> 40 >> 1) + "T"));
        assertTrue(refused(() -> size.convert(((Long.MAX_VALUE >> 40 >> 1) + 1) + "T"))
                .startsWith("is too large"));
        assertTrue(refused(() -> size.convert("8796093022208T")).startsWith("is too large"));
        assertTrue(
                refused(() -> size.convert("1234567890123456789")).contains("must be a number of bytes"),
                "19 digits can overflow a long");
    }

    @Test
    void unlimitedIsAWordNotANumber() {
        assertEquals(IsolatedProcessBuilder.UNLIMITED, new Values.SizeOrUnlimited().convert("Unlimited"));
        assertEquals(IsolatedProcessBuilder.UNLIMITED, new Values.SizeOrUnlimited().convert("max"));
        assertEquals(IsolatedProcessBuilder.UNLIMITED, new Values.CountOrUnlimited().convert("MAX"));
        assertEquals(12L, new Values.CountOrUnlimited().convert("12"));
        assertTrue(refused(() -> new Values.CountOrUnlimited().convert("12k")).contains("whole number"));
        assertTrue(
                refused(() -> new Values.Size().convert("unlimited")).contains("was 'unlimited'"),
                "where a number is needed");
    }

    @Test
    void durationsAreExactToTheNanosecond() {
        assertEquals(Duration.ofNanos(1500), Values.duration("1.5us"));
        assertEquals(Duration.ofMillis(250), Values.duration("0.25s"));
        assertEquals(Duration.ofSeconds(90), Values.duration("1.5m"));
        assertEquals(Duration.ofHours(2), Values.duration("2h"));
        assertEquals(Duration.ofSeconds(-3), Values.duration("-3s"), "a clock offset may be negative");
        assertTrue(refused(() -> Values.duration("0.0001us")).contains("whole nanoseconds"));
        assertTrue(refused(() -> Values.duration("3000000h")).contains("292 years"));
        assertTrue(refused(() -> Values.duration("2")).contains("with a unit"));
        assertTrue(refused(() -> Values.duration("2 s")).contains("with a unit"));
        assertTrue(refused(() -> new Values.PositiveDuration().convert("-1ms")).contains("positive"));
    }

    @Test
    void aCpuMaxQuotaIsInMicrosecondsOfItsPeriod() {
        Values.CpuMaxConverter c = new Values.CpuMaxConverter();
        assertEquals(new Values.CpuMax(150_000, 100_000), c.convert("150ms"));
        assertEquals(new Values.CpuMax(25_000, 50_000), c.convert("25ms/50ms"));
        assertEquals(new Values.CpuMax(1_000_000, 1_000_000), c.convert("1s/1s"));
        assertTrue(refused(() -> c.convert("10ms/")).contains("with a unit"), "an empty period is no default");
        assertTrue(refused(() -> c.convert("0ms/100ms")).contains("positive"));
    }

    @Test
    void aBindsTargetIsAfterTheLastColonSoASourceMayHaveColons() {
        Values.BindConverter c = new Values.BindConverter();
        assertEquals(new Values.Bind(Path.of("/srv/a:b"), "/data"), c.convert("/srv/a:b:/data"));
        assertEquals(
                new Values.Bind(Path.of("").toAbsolutePath().resolve("rel"), "/rel"),
                c.convert("rel:/rel"),
                "a relative source is the working directory's");
        assertTrue(refused(() -> c.convert(":/data")).contains("SRC:DST"));
    }

    @Test
    void rlimitsTakeUnitsAndTheKernelsNames() {
        Values.RlimitConverter c = new Values.RlimitConverter();
        assertEquals(
                new Values.Rlimit(ResourceLimit.FSIZE, 1L << 20, ResourceLimit.UNLIMITED),
                c.convert("fsize=1M:infinity"));
        assertTrue(refused(() -> c.convert("nofile=1:2:3")).contains("NAME=SOFT[:HARD]"));
        assertTrue(refused(() -> c.convert("stak=1")).contains("nofile"), "lists the names");
    }
}
