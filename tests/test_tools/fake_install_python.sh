#!/usr/bin/env bash
# A stand-in interpreter for tools/install.sh (its PYTHON=): every call is
# appended to $FAKE_LOG (one line, arguments separated by spaces); `-m pip`
# is simulated without network or compiler, and the mmcv.ops probe (a script
# on stdin) succeeds only once an mmcv wheel was "installed". Everything else
# (torch version, tags, tools/misc/find_mmcv_wheel.py, the final imports)
# runs in the interpreter $REAL_PYTHON (the tests give it stand-in torch,
# mmcv, ... modules on PYTHONPATH).
#
#   pip install ...mmcv-*.whl    marks mmcv installed ($FAKE_STATE/mmcv)
#   pip download ... -d DIR      writes DIR/mmcv-<v>.tar.gz: a setup.py that
#                                asks for -std=c++17 and 3 + 2 op sources
#   pip wheel ... -w DIR         writes DIR/mmcv-<v>-<tags>.whl and copies
#                                the setup.py it was built from to
#                                $FAKE_STATE/built_setup.py
set -euo pipefail
printf '%s\n' "$*" >> "$FAKE_LOG"

if [ "${1:-}" = - ]; then
    cat > /dev/null
    [ -f "$FAKE_STATE/mmcv" ]
    exit
fi
if [ "${1:-}" != -m ] || [ "${2:-}" != pip ]; then
    exec "$REAL_PYTHON" "$@"
fi
shift 2
cmd=$1
shift
# value following FLAG in "$@"
arg_after() {
    local flag=$1 prev=""
    shift
    for a in "$@"; do
        if [ "$prev" = "$flag" ]; then printf '%s' "$a"; return; fi
        prev=$a
    done
}
case "$cmd" in
    install)
        for a in "$@"; do
            case "$a" in *mmcv-*.whl) touch "$FAKE_STATE/mmcv" ;; esac
        done
        ;;
    download)
        dest=$(arg_after -d "$@")
        version=$(printf '%s\n' "$@" | sed -n 's/^mmcv==//p')
        src=$(mktemp -d)
        csrc="$src/mmcv-$version/mmcv/ops/csrc/pytorch"
        mkdir -p "$csrc/cpu"
        printf "extra_compile_args = ['-std=c++17']\n" > "$src/mmcv-$version/setup.py"
        touch "$csrc/nms.cpp" "$csrc/roi_align.cpp" "$csrc/pybind.cpp" \
            "$csrc/cpu/nms.cpp" "$csrc/cpu/roi_align.cpp"
        tar -czf "$dest/mmcv-$version.tar.gz" -C "$src" "mmcv-$version"
        rm -rf "$src"
        ;;
    wheel)
        dest=$(arg_after -w "$@")
        mkdir -p "$dest"
        cp setup.py "$FAKE_STATE/built_setup.py"
        tag=$("$REAL_PYTHON" -c 'import packaging.tags as t; x = next(iter(t.sys_tags())); print(x.interpreter, x.abi, x.platform, sep="-")')
        touch "$dest/mmcv-${PWD##*mmcv-}-$tag.whl"
        ;;
esac
exit 0
