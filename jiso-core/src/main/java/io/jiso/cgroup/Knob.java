package io.jiso.cgroup;

import io.jiso.plan.FeatureUnavailable;
import io.jiso.plan.SetupFailure;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.LongPredicate;

/**
 * One cgroup limit, declared once in the file of its controller
 * ({@link MemoryKnobs}, {@link CpuKnobs}...): the name the builders and the
 * messages use, its unit and rule, the files it becomes on cgroup v2 and on
 * v1 (or why v1 cannot express it), and how a report shows it. The
 * builders' validation, both drivers, {@link CgroupLimits#toString()} and
 * the error messages are driven from these descriptors.
 *
 * @param <T> the value as {@link CgroupLimits} keeps it
 */
final class Knob<T> {
    /** Checks a value as a setter receives it, throwing IllegalArgumentException naming the knob and the rule; returns it as kept. */
    interface Check<T> {
        T check(String name, T value);
    }

    /** Writes a value into the files of one leaf directory. */
    interface Writer<T> {
        void write(Leaf leaf, T value, CgroupLimits all) throws SetupFailure;
    }

    /** Why cgroup v1 cannot express a value, or null if it can. */
    interface V1Refusal<T> {
        String why(T value, CgroupLimits all);
    }

    /** The leaf directory of the knob's controller, the way to write into it, and the knob's name for failures. */
    record Leaf(Path dir, LeafFiles files, String field) {
        void write(String file, String value) throws SetupFailure {
            files.write(dir, file, value, field);
        }

        /** As {@link #write(String, String)}, naming a part of the knob ("cpuMax period", "ioMax 8:0"). */
        void write(String file, String value, String part) throws SetupFailure {
            files.write(dir, file, value, part);
        }

        boolean has(String file) {
            return files.exists(dir, file);
        }
    }

    /** Builder-facing name: the setter of IsolatedProcessBuilder, the field in messages and reports. */
    final String name;
    /** The name of the setter of {@link CgroupLimits.Builder}. */
    final String limitsSetter;

    final Controller controller;
    /** The unit of the value, for documentation ("bytes", "microseconds", "" for a count). */
    final String unit;
    /** The rule a value must meet, in the words the exception uses. */
    final String rule;
    /** Whether {@link CgroupLimits#UNLIMITED} clears the knob (and Long.MAX_VALUE is refused as a mistaken "no limit"). */
    final boolean unlimited;

    final Check<T> check;
    /** Combines a second value with the first (keyed knobs: one entry per device or page size), or null to replace it. */
    final BinaryOperator<T> merge;
    /** Knobs whose value this one must not exceed, checked by {@link CgroupLimits.Builder#build()}. */
    final List<Knob<Long>> notAbove;
    /** The v2 file(s) written, for documentation and reports. */
    final String v2Files;

    final Writer<T> v2;
    /** The v1 file(s) written, or null if v1 writes nothing for this knob. */
    final String v1Files;

    final Writer<T> v1;
    final V1Refusal<T> v1Refusal;
    final Function<T, Object> show;

    private Knob(Declaration<T> d) {
        name = Objects.requireNonNull(d.name);
        limitsSetter = Objects.requireNonNull(d.limitsSetter);
        controller = Objects.requireNonNull(d.controller);
        unit = Objects.requireNonNull(d.unit);
        rule = Objects.requireNonNull(d.rule);
        unlimited = d.unlimited;
        check = Objects.requireNonNull(d.check);
        merge = d.merge;
        notAbove = List.copyOf(d.notAbove);
        v2Files = Objects.requireNonNull(d.v2Files);
        v2 = Objects.requireNonNull(d.v2);
        v1Files = d.v1Files;
        v1 = d.v1;
        v1Refusal = d.v1Refusal;
        show = d.show;
        if (v1 == null && v1Refusal == null) {
            throw new IllegalStateException(name + " says neither how v1 writes it nor why v1 cannot");
        }
    }

    /** Starts a declaration: the builder-facing name, the setter of {@link CgroupLimits.Builder}, the controller and the unit. */
    static <T> Declaration<T> declare(String name, String limitsSetter, Controller controller, String unit) {
        return new Declaration<>(name, limitsSetter, controller, unit);
    }

    /** A Long rule: the message is "NAME must be RULE, was VALUE". */
    static Check<Long> longRule(String rule, LongPredicate ok) {
        return (name, v) -> {
            if (!ok.test(v)) {
                throw new IllegalArgumentException(name + " must be " + rule + ", was " + v);
            }
            return v;
        };
    }

    /** An int range rule: "NAME must be in MIN..MAX, was VALUE". */
    static Check<Integer> intRange(int min, int max) {
        return (name, v) -> {
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + v);
            }
            return v;
        };
    }

    /** Refuses what v1 cannot express, before anything of the controller is written. */
    void refuseOnV1(CgroupLimits l) throws FeatureUnavailable {
        T value = l.get(this);
        if (value != null && v1Refusal != null) {
            String why = v1Refusal.why(value, l);
            if (why != null) {
                throw new FeatureUnavailable("set " + name + " on cgroup v1", 0, "", why);
            }
        }
    }

    /** Writes the value, if set, with the v2 or the v1 writer. */
    void write(boolean onV1, Path dir, LeafFiles files, CgroupLimits l) throws SetupFailure {
        T value = l.get(this);
        Writer<T> w = onV1 ? v1 : v2;
        if (value != null && w != null) {
            w.write(new Leaf(dir, files, name), value, l);
        }
    }

    /** The value as a report shows it. */
    String show(CgroupLimits l) {
        T value = l.get(this);
        return value == null ? null : String.valueOf(show.apply(value));
    }

    @Override
    public String toString() {
        return name;
    }

    /** Collects a knob's parts; {@link #done()} checks that none is missing. */
    static final class Declaration<T> {
        private final String name;
        private final String limitsSetter;
        private final Controller controller;
        private final String unit;
        private String rule;
        private boolean unlimited;
        private Check<T> check;
        private BinaryOperator<T> merge;
        private List<Knob<Long>> notAbove = List.of();
        private String v2Files;
        private Writer<T> v2;
        private String v1Files;
        private Writer<T> v1;
        private V1Refusal<T> v1Refusal;
        private Function<T, Object> show = v -> v;

        private Declaration(String name, String limitsSetter, Controller controller, String unit) {
            this.name = name;
            this.limitsSetter = limitsSetter;
            this.controller = controller;
            this.unit = unit;
        }

        Declaration<T> rule(String text, Check<T> check) {
            this.rule = text;
            this.check = check;
            return this;
        }

        /** A rule on a Long value; the message is "NAME must be TEXT, was VALUE". */
        @SuppressWarnings("unchecked")
        Declaration<T> rule(String text, LongPredicate ok) {
            return rule(text, (Check<T>) (Check<?>) longRule(text, ok));
        }

        /** A range of int values; the message is "NAME must be in MIN..MAX, was VALUE". */
        @SuppressWarnings("unchecked")
        Declaration<T> range(int min, int max) {
            return rule("in " + min + ".." + max, (Check<T>) (Check<?>) intRange(min, max));
        }

        /** {@link CgroupLimits#UNLIMITED} clears the knob: the kernel's default, no limit. */
        Declaration<T> unlimited() {
            this.unlimited = true;
            return this;
        }

        Declaration<T> merge(BinaryOperator<T> merge) {
            this.merge = merge;
            return this;
        }

        @SuppressWarnings("unchecked")
        Declaration<T> notAbove(Knob<Long>... bounds) {
            this.notAbove = List.of(bounds);
            return this;
        }

        /** One v2 file, one write. */
        Declaration<T> v2File(String file, Function<T, String> format) {
            return v2(file, (leaf, v, all) -> leaf.write(file, format.apply(v)));
        }

        Declaration<T> v2(String files, Writer<T> writer) {
            this.v2Files = files;
            this.v2 = writer;
            return this;
        }

        /** One v1 file, one write. */
        Declaration<T> v1File(String file, Function<T, String> format) {
            return v1(file, (leaf, v, all) -> leaf.write(file, format.apply(v)));
        }

        Declaration<T> v1(String files, Writer<T> writer) {
            this.v1Files = files;
            this.v1 = writer;
            return this;
        }

        /** Values v1 cannot express (the knob may still have a v1 writer for the others). */
        Declaration<T> v1Refuses(V1Refusal<T> refusal) {
            this.v1Refusal = refusal;
            return this;
        }

        /** v1 has no file for this knob: setting it fails on v1 with this reason. */
        Declaration<T> v1Unavailable(String why) {
            return v1Refuses((v, all) -> why);
        }

        Declaration<T> show(Function<T, Object> show) {
            this.show = show;
            return this;
        }

        Knob<T> done() {
            return new Knob<>(this);
        }
    }
}
