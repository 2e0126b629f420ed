#!/usr/bin/env bash
# Builds jiso's native parts into <outdir>/linux-<arch>/:
#   libjiso.so  the spawn stage (stage.c), exporting only jiso_spawn
#   jiso-init   the sandbox's PID 1 (init.c), a freestanding static executable
# for the host with gcc and for the other architecture (x86_64 or aarch64)
# with <arch>-linux-gnu-gcc if that cross compiler is installed.
# Maven runs this on every build, so an output is rebuilt only when one of
# its inputs (source, header, this script) is newer.
set -euo pipefail

out=${1:?usage: build.sh <outdir>}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
inc=$src/../include
common=(-std=gnu11 -O2 -Wall -Wextra -Werror -I"$inc")

# stale <output> <inputs...>: true if the output is missing or older than an input
stale() {
    local o=$1 i
    shift
    [[ -e $o ]] || return 0
    for i in "$@"; do [[ $i -nt $o ]] && return 0; done
    return 1
}

# build <compiler> <arch>
build() {
    local cc=$1 dir=$out/linux-$2
    mkdir -p "$dir"
    if stale "$dir/libjiso.so" "$src/stage.c" "$src/raw_syscall.h" "$inc/jiso_plan.h" "$src/build.sh"; then
        # The child half of stage.c runs without TLS of its own: no stack
        # protector (its canary is read through TLS). Lazy binding is off so
        # that nothing is resolved behind our back.
        "$cc" "${common[@]}" -fPIC -shared -fvisibility=hidden -fno-stack-protector \
            -Wl,-z,now -Wl,-z,noexecstack -Wl,--no-undefined -Wl,-soname,libjiso.so \
            -o "$dir/libjiso.so.tmp" "$src/stage.c"
        mv -f "$dir/libjiso.so.tmp" "$dir/libjiso.so"
    fi
    if stale "$dir/jiso-init" "$src/init.c" "$src/init_limits.h" "$src/raw_syscall.h" "$src/build.sh"; then
        # Freestanding: no libc, no startup files, its own _start.
        "$cc" "${common[@]}" -static -nostdlib -ffreestanding -fno-stack-protector -fno-builtin \
            -Wl,-z,noexecstack -s -o "$dir/jiso-init.tmp" "$src/init.c"
        mv -f "$dir/jiso-init.tmp" "$dir/jiso-init"
    fi
}

host=$(uname -m)
case $host in
    x86_64) other=aarch64 ;;
    aarch64) other=x86_64 ;;
    *) echo "build.sh: unsupported host architecture $host" >&2; exit 1 ;;
esac
build gcc "$host"
if command -v "$other-linux-gnu-gcc" >/dev/null 2>&1; then
    build "$other-linux-gnu-gcc" "$other"
else
    echo "build.sh: $other-linux-gnu-gcc not found, skipping linux-$other"
fi
