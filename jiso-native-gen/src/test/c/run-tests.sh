#!/usr/bin/env bash
# Builds the native parts (src/main/c/build.sh) and runs stage_test and
# init_limits_test against the running kernel, on an x86_64 or aarch64 host, as
# root or as a user allowed unprivileged user namespaces; then stage_test of the
# other architecture under its qemu-user emulator (Debian's qemu-user), which
# runs what it can there.
#   run-tests.sh [--skip-cross=true|false] [<outdir>]
#     --skip-cross=true  as for build.sh: the host's architecture only
#     outdir             as for build.sh; default: a temporary directory that
#                        is removed afterwards
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
main=$here/../../main
skip_cross=false
if [[ ${1:-} == --skip-cross=* ]]; then
    skip_cross=${1#*=}
    shift
fi
if [[ $# -ge 1 ]]; then
    out=$1
    mkdir -p "$out"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
else
    out=$(mktemp -d)
    work=$out
    trap 'rm -rf "$out"' EXIT
fi

bash "$main/c/build.sh" --skip-cross="$skip_cross" "$out"
lib=$out/linux-$(uname -m)

# For every architecture built: only jiso_spawn is exported, and the child's
# code (see stage.c) calls nothing outside stage.c (no PLT entry, no stack
# protector).
for dir in "$out"/linux-*; do
    arch=${dir##*/linux-}
    prefix=
    [[ $arch == "$(uname -m)" ]] || prefix=$arch-linux-gnu-
    exports=$("${prefix}nm" -D --defined-only "$dir/libjiso.so" | awk '{print $3}')
    if [[ $exports != jiso_spawn ]]; then
        echo "not ok - libjiso.so of $arch exports: $exports" >&2
        exit 1
    fi
    echo "ok - libjiso.so of $arch exports only jiso_spawn"
    code=$("${prefix}objdump" -d "$dir/libjiso.so" | awk '
        /^[0-9a-f]+ <(child_fail|run_steps|spawned_main|child_main|program_main|reset_signal_handlers)[.>]/ { p = 1; n++; next }
        /^[0-9a-f]+ </ { p = 0 }
        p
        END { if (n < 5) print "MISSING child functions" }')
    if grep -E '@plt|__stack_chk|MISSING' <<<"$code" >&2; then
        echo "not ok - child code of $arch calls outside stage.c" >&2
        exit 1
    fi
    echo "ok - child code of $arch calls nothing outside stage.c"
done

cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -pthread -I"$main/include")
gcc "${cflags[@]}" -o "$work/stage_test" "$here/stage_test.c" -L"$lib" -ljiso -Wl,-rpath,"$lib"
"$work/stage_test" "$lib/jiso-init"
gcc "${cflags[@]}" -Wno-unused-function -I"$main/c" -o "$work/init_limits_test" "$here/init_limits_test.c"
"$work/init_limits_test"

# The other architecture's build under qemu-user. qemu-user (7.2) refuses the
# stage's clone3, so there stage_test runs only what needs no spawn: plan
# validation and jiso-init (forked, executed through the emulator); it prints
# the emulator's answers to clone3, clone(CLONE_VM) and seccomp.
[[ $skip_cross == false ]] || exit 0
case $(uname -m) in
    x86_64) other=aarch64 ;;
    aarch64) other=x86_64 ;;
esac
qemu=$(command -v "qemu-$other" || true)
if [[ -z $qemu ]]; then
    echo "# SKIP linux-$other tests: no qemu-$other (apt-get install qemu-user)"
    exit 0
fi
olib=$out/linux-$other
"$other-linux-gnu-gcc" "${cflags[@]}" -o "$work/stage_test-$other" "$here/stage_test.c" \
    -L"$olib" -ljiso -Wl,-rpath,"$olib"
echo "# linux-$other under $qemu"
"$qemu" -L "/usr/$other-linux-gnu" "$work/stage_test-$other" --emulator="$qemu" "$olib/jiso-init"
