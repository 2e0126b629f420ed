#!/usr/bin/env bash
# Builds the native parts (src/main/c/build.sh) and runs stage_test against
# the running kernel, on an x86_64 or aarch64 host, as root or as a user allowed
# unprivileged user namespaces.
#   run-tests.sh [<outdir>]   outdir as for build.sh; default: a temporary
#                             directory that is removed afterwards
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
main=$here/../../main
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

bash "$main/c/build.sh" "$out"
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

gcc -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -I"$main/include" \
    -o "$work/stage_test" "$here/stage_test.c" \
    -L"$lib" -ljiso -Wl,-rpath,"$lib"
"$work/stage_test" "$lib/jiso-init"
