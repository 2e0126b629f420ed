#!/usr/bin/env bash
# Builds jiso's native parts into <outdir>/linux-<arch>/:
#   libjiso.so  the spawn stage (stage.c), exporting only jiso_spawn
#   jiso-init   the sandbox's PID 1 (init.c), a freestanding static executable
# for the host with gcc and for the other architecture (x86_64 or aarch64)
# with its cross compiler, <arch>-linux-gnu-gcc. Without that compiler the
# build fails, saying what to install, unless --skip-cross=true: a jar must
# not lose an architecture silently.
#   build.sh [--skip-cross=true|false] [--manifest=<file>] <outdir>
# --manifest writes a manifest fragment for the jar naming the architectures
# built and, with --skip-cross=true, the one left out.
# Maven runs this on every build, so an output is rebuilt only when one of
# its inputs (source, header, this script) is newer.
set -euo pipefail

skip_cross=false
manifest=
while [[ $# -gt 1 ]]; do
    case $1 in
        --skip-cross=true | --skip-cross=false) skip_cross=${1#*=} ;;
        --manifest=*) manifest=${1#*=} ;;
        *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
out=${1:?usage: build.sh [--skip-cross=true|false] [--manifest=<file>] <outdir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
inc=$src/../include
# Reproducible: the compilers run in $src on relative paths, so that no path of
# the checkout reaches an output (there is no -g, so no debug info; the prefix
# map also covers what __FILE__ could add).
cd "$src"
common=(-std=gnu11 -O2 -Wall -Wextra -Werror -I../include -ffile-prefix-map="$src/"=)

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
            -o "$dir/libjiso.so.tmp" stage.c
        mv -f "$dir/libjiso.so.tmp" "$dir/libjiso.so"
    fi
    if stale "$dir/jiso-init" "$src/init.c" "$src/init_limits.h" "$src/raw_syscall.h" "$src/build.sh"; then
        # Freestanding: no libc, no startup files, its own _start.
        "$cc" "${common[@]}" -static -nostdlib -ffreestanding -fno-stack-protector -fno-builtin \
            -Wl,-z,noexecstack -s -o "$dir/jiso-init.tmp" init.c
        mv -f "$dir/jiso-init.tmp" "$dir/jiso-init"
    fi
}

host=$(uname -m)
case $host in
    x86_64) other=aarch64 packages="gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
    aarch64) other=x86_64 packages="gcc-x86-64-linux-gnu libc6-dev-amd64-cross" ;;
    *) echo "build.sh: unsupported host architecture $host" >&2; exit 1 ;;
esac
build gcc "$host"
built="linux-$host"
skipped=
if [[ $skip_cross == true ]]; then
    skipped="linux-$other"
    rm -rf "${out:?}/linux-$other"
    echo "build.sh: skipping linux-$other (--skip-cross=true): this jar runs on $host only"
elif command -v "$other-linux-gnu-gcc" >/dev/null 2>&1; then
    build "$other-linux-gnu-gcc" "$other"
    built="$built linux-$other"
else
    cat >&2 <<EOF
build.sh: $other-linux-gnu-gcc not found: jiso's jar carries the native parts for
x86_64 and aarch64, and this machine cannot build the $other ones. Install the cross
compiler (Debian, Ubuntu):
    apt-get install $packages
or build a jar for $host only with -Djiso.native.skipCross=true (its manifest says so).
EOF
    exit 1
fi

if [[ -n $manifest ]]; then
    mkdir -p "$(dirname "$manifest")"
    {
        echo "Jiso-Native-Platforms: $built"
        [[ -z $skipped ]] || echo "Jiso-Native-Skipped: $skipped (built with -Djiso.native.skipCross=true)"
    } >"$manifest.tmp"
    mv -f "$manifest.tmp" "$manifest"
fi
