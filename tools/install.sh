#!/usr/bin/env bash
# One-command install of the GLE plugin and the OpenMMLab pose stack into the ACTIVE Python
# (a venv, conda env or system Python: whatever `python` is).
#
#   bash tools/install.sh            # runtime + every requirements/*.txt + this repo (editable)
#
# Environment knobs:
#   PYTHON=python3.11                interpreter to install into (default: python, else python3)
#   TORCH_SPEC="torch==2.14.1 torchvision==0.29.1"
#                                    installed only when torch is NOT importable; an existing
#                                    torch (e.g. a cluster's CUDA build) is kept and mmcv is
#                                    built against it
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
#                                    index TORCH_SPEC is installed from (e.g. the CPU-only
#                                    builds, ~0.7 GB instead of ~5.5 GB); ignored with a
#                                    message when it is not reachable
#   MMCV_INDEX=https://download.openmmlab.com/mmcv/dist
#                                    where prebuilt mmcv wheels are looked up first
#                                    (MMCV_INDEX=none: always compile)
#   MMCV_CACHE=~/.cache/gle/wheels   where built mmcv wheels are cached (keyed by torch
#                                    version, CUDA version, python tag and platform)
#   MAX_JOBS=<nproc>                 parallel compile jobs for mmcv
#   GLE_FORCE_CPU_MMCV=1             build mmcv without CUDA ops even with nvcc and a GPU
#
# Why each step exists (all measured on a fresh Python 3.11 machine):
#  * mmcv 2.1.0 is source-only on PyPI. OpenMMLab publishes wheels for some torch/CUDA pairs
#    (torch 2.0/2.1 for mmcv 2.1.0): tools/misc/find_mmcv_wheel.py looks there first. Else
#    it is compiled: setup.py imports pkg_resources (setuptools<81) and torch, so it is
#    built with --no-build-isolation and MMCV_WITH_OPS=1.
#  * torch >= 2.14 headers need C++20 but mmcv 2.1.0 forces -std=c++17: patched in the sdist.
#  * mmpose 1.3.2 depends on chumpy, whose setup.py imports pip: --no-build-isolation.
#  * xtcocotools wheels are built against numpy 1.x: numpy==1.26.4, opencv-python 4.11.
#  * mmengine imports pkg_resources at run time: setuptools<81 stays installed.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$(command -v python || command -v python3)}"
PIP=("$PY" -m pip install --disable-pip-version-check)
MMCV_VERSION=2.1.0
MMCV_CACHE="${MMCV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gle/wheels}"
MMCV_INDEX="${MMCV_INDEX:-https://download.openmmlab.com/mmcv/dist}"
START=$(date +%s)
STEP_START=$START
TIMINGS=()

log() { printf '\n[gle-install] %s\n' "$*"; }
# end_step NAME: record the wall time since the previous step ended
end_step() {
    local now
    now=$(date +%s)
    TIMINGS+=("$1|$((now - STEP_START))")
    STEP_START=$now
}

log "python: $("$PY" -c 'import sys; print(sys.executable, sys.version.split()[0])')"

# 1. build tooling and the numpy/opencv pins everything else is resolved against
"${PIP[@]}" "setuptools<81" wheel ninja packaging "numpy==1.26.4" "opencv-python==4.11.0.86"
end_step "build tools, numpy, opencv"

# 2. torch: keep an existing one, else install the default pair
if "$PY" -c 'import torch, torchvision' 2>/dev/null; then
    log "keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
    TORCH_SPEC="${TORCH_SPEC:-torch==2.14.1 torchvision==0.29.1}"
    TORCH_INDEX_ARGS=()
    if [ -n "${TORCH_INDEX_URL:-}" ]; then
        if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' \
            "$TORCH_INDEX_URL" 2>/dev/null; then
            TORCH_INDEX_ARGS=(--index-url "$TORCH_INDEX_URL")
        else
            log "TORCH_INDEX_URL=$TORCH_INDEX_URL is not reachable: installing from the default index"
        fi
    elif ! command -v nvidia-smi >/dev/null 2>&1; then
        log "no GPU driver found: a CPU-only torch is much smaller, see TORCH_INDEX_URL in this script"
    fi
    log "installing $TORCH_SPEC ${TORCH_INDEX_ARGS[*]}"
    # shellcheck disable=SC2086
    "${PIP[@]}" "${TORCH_INDEX_ARGS[@]}" $TORCH_SPEC
fi
# torch >= 2.14 asks for setuptools >= 77 and may upgrade it past 80: pin it back
"${PIP[@]}" "setuptools<81"
end_step "torch + torchvision"

# 3. mmengine (pure python)
"${PIP[@]}" "mmengine==0.10.7"
end_step "mmengine"

# 4. mmcv with compiled ops: reuse, prebuilt wheel, cached build, else build from the sdist
have_mmcv_ops() {
    "$PY" - <<'PY' 2>/dev/null
import mmcv, mmcv.ops, torch
assert mmcv.__version__ == "2.1.0", mmcv.__version__
from mmcv.ops import nms
b = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
nms(b, torch.tensor([0.9, 0.8]), 0.5)
PY
}
# watch_compile SRC TOTAL: every 30 s, print compiled objects / total and a time estimate
watch_compile() {
    local t0 n el
    t0=$(date +%s)
    # sleep without our stdout/stderr: killing this loop must not leave a sleep that
    # keeps a pipe reading the install's output (`| tee log`) open for 30 s
    while sleep 30 >/dev/null 2>&1; do
        n=$(find "$1" -name '*.o' 2>/dev/null | wc -l)
        el=$(($(date +%s) - t0))
        if [ "$n" -gt 0 ] && [ "$n" -lt "$2" ]; then
            printf '[gle-install] mmcv compile: %d/%d files, %d min elapsed, about %d min left\n' \
                "$n" "$2" $((el / 60)) $(((el * ($2 - n) / n + 59) / 60))
        else
            printf '[gle-install] mmcv compile: %d/%d files, %d min elapsed\n' "$n" "$2" $((el / 60))
        fi
    done
}
MMCV_HOW="already installed"
if have_mmcv_ops; then
    log "mmcv $MMCV_VERSION with compiled ops already installed"
else
    # CUDA ops only where they can be used: nvcc present AND a GPU visible to torch
    # (TORCH_CUDA_ARCH_LIST may be set to build for GPUs not on the build machine).
    if [ -n "${GLE_FORCE_CPU_MMCV:-}" ] || ! command -v nvcc >/dev/null 2>&1 \
        || ! "$PY" -c 'import torch,os,sys; sys.exit(0 if torch.version.cuda and (torch.cuda.is_available() or os.environ.get("TORCH_CUDA_ARCH_LIST")) else 1)'; then
        BUILD_KIND=cpu
    else
        BUILD_KIND="cu$("$PY" -c 'import torch; print(torch.version.cuda.replace(".", ""))')"
    fi
    TAG=$("$PY" -c 'import torch,sys,sysconfig; print("torch%s-%s-py%d%d-%s" % (torch.__version__.split("+")[0], "'"$BUILD_KIND"'", *sys.version_info[:2], sysconfig.get_platform().replace("-", "_")))')
    WHEEL_DIR="$MMCV_CACHE/mmcv-$MMCV_VERSION-$TAG"
    PREBUILT=""
    if ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
        log "using cached mmcv wheel from $WHEEL_DIR"
        MMCV_HOW="cached wheel"
    elif [ "$MMCV_INDEX" != none ] && PREBUILT=$("$PY" "$REPO_DIR/tools/misc/find_mmcv_wheel.py" \
            --mmcv-version "$MMCV_VERSION" --index "$MMCV_INDEX" \
            ${GLE_FORCE_CPU_MMCV:+--cuda cpu}); then
        log "installing the prebuilt mmcv wheel $PREBUILT"
        MMCV_HOW="prebuilt wheel"
        "${PIP[@]}" --no-deps "$PREBUILT"
    else
        log "no prebuilt mmcv wheel usable here: building mmcv $MMCV_VERSION ($TAG) from source, once (7-25 min on 2 cores; progress every 30 s)"
        MMCV_HOW="compiled"
        BUILD_TMP=$(mktemp -d)
        trap 'rm -rf "$BUILD_TMP"' EXIT
        "$PY" -m pip download --disable-pip-version-check --no-deps --no-binary :all: \
            "mmcv==$MMCV_VERSION" -d "$BUILD_TMP"
        tar -xzf "$BUILD_TMP"/mmcv-$MMCV_VERSION.tar.gz -C "$BUILD_TMP"
        SRC="$BUILD_TMP/mmcv-$MMCV_VERSION"
        # torch >= 2.14 headers refuse C++17
        if "$PY" -c 'import torch,sys; v=tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]); sys.exit(0 if v >= (2, 14) else 1)'; then
            sed -i 's/-std=c++17/-std=c++20/g' "$SRC/setup.py"
        fi
        # the files mmcv's setup.py compiles for this build kind
        CSRC="$SRC/mmcv/ops/csrc/pytorch"
        TOTAL=$(ls "$CSRC"/*.cpp "$CSRC"/cpu/*.cpp 2>/dev/null | wc -l)
        if [ "$BUILD_KIND" != cpu ]; then
            TOTAL=$((TOTAL + $(ls "$CSRC"/cuda/*.cu "$CSRC"/cuda/*.cpp 2>/dev/null | wc -l)))
        fi
        rm -rf "$WHEEL_DIR.tmp"
        watch_compile "$SRC/build" "$TOTAL" &
        WATCH_PID=$!
        trap 'kill "$WATCH_PID" 2>/dev/null || true; rm -rf "$BUILD_TMP"' EXIT
        (
            cd "$SRC"
            export MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}"
            if [ "$BUILD_KIND" = cpu ]; then export CUDA_VISIBLE_DEVICES= FORCE_CUDA=0; else export FORCE_CUDA=1; fi
            "$PY" -m pip wheel --disable-pip-version-check --no-build-isolation --no-deps . -w "$WHEEL_DIR.tmp"
        )
        kill "$WATCH_PID" 2>/dev/null || true
        # publish the cache entry only once the wheel is complete
        mv "$WHEEL_DIR.tmp" "$WHEEL_DIR"
    fi
    if [ -z "$PREBUILT" ]; then
        "${PIP[@]}" --no-deps --force-reinstall "$WHEEL_DIR"/mmcv-*.whl
    fi
    # mmcv's own pure-python dependencies
    "${PIP[@]}" addict packaging Pillow pyyaml yapf
    have_mmcv_ops || { echo "mmcv.ops does not import after install" >&2; exit 1; }
fi
end_step "mmcv $MMCV_VERSION ($MMCV_HOW)"

# 5. chumpy (mmpose dependency whose setup.py imports pip), then mmpose, mmdet, this repo
"$PY" -c 'import importlib.metadata as m; m.version("chumpy")' 2>/dev/null \
    || "${PIP[@]}" --no-build-isolation "chumpy==0.70"
# runtime.txt first, then every other requirements/<name>.txt (tests, lint and whatever
# is added later: the same files setup.py turns into the extras .[<name>]), in one
# resolver run so they are consistent with each other
REQ_ARGS=(-r "$REPO_DIR/requirements/runtime.txt")
for req in "$REPO_DIR"/requirements/*.txt; do
    [ "$(basename "$req")" = runtime.txt ] || REQ_ARGS+=(-r "$req")
done
log "installing ${REQ_ARGS[*]}"
"${PIP[@]}" "${REQ_ARGS[@]}"
"${PIP[@]}" --no-build-isolation --no-deps -e "$REPO_DIR"
end_step "mmpose, mmdet, requirements/*.txt, gle"

"$PY" -c 'import gle, mmpose, mmdet, mmcv; print("gle", gle.__version__, "| mmpose", mmpose.__version__, "| mmdet", mmdet.__version__, "| mmcv", mmcv.__version__)'
# disk used: the whole environment for a venv, else the site-packages directory
ENV_DIR=$("$PY" -c 'import sys, sysconfig; print(sys.prefix if sys.prefix != sys.base_prefix else sysconfig.get_paths()["purelib"])')
# dependency conflicts (also ones this script did not cause) are reported, not hidden;
# CI (.ci/run) fails on them
if ! "$PY" -m pip check --disable-pip-version-check; then
    log "WARNING: 'pip check' reports the conflicts above in $("$PY" -c 'import sys; print(sys.prefix)')"
fi
log "done in $(($(date +%s) - START)) s"
printf '| step | wall time (s) |\n| --- | --- |\n'
for row in "${TIMINGS[@]}"; do printf '| %s | %s |\n' "${row%%|*}" "${row##*|}"; done
printf '| total | %s |\n' "$(($(date +%s) - START))"
printf 'disk used by %s: %s\n' "$ENV_DIR" "$(du -sh "$ENV_DIR" 2>/dev/null | cut -f1)"
