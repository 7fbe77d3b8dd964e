#!/usr/bin/env bash
# One-command GPU benchmark: the numbers behind docs/benchmark.md's GPU section.
#
#   bash tools/analysis/benchmark_gpu.sh [OUT_DIR] [extra tools/analysis/benchmark.py args]
#
# Runs every part on the first visible GPU at the paper's batch size (50) and input
# (224x224): plugin vs plain PyTorch (k=2, k=3), fp32 / channels_last / AMP fp16 / AMP bf16,
# sdpa vs explicit attention at 28x28, 48x48 and 64x64, the data pipeline (CPU, one worker)
# and NE over 40,000 predictions. About 2-3 minutes on an A100 or H100 (10 timed iterations
# after 3 warm-up ones); well under 5. Needs only the repository's install
# (bash tools/install.sh). Writes OUT_DIR/results.json, OUT_DIR/results.txt (the table) and
# OUT_DIR/nvidia-smi.csv; OUT_DIR defaults to work_dirs/benchmark_gpu. results.json is
# rewritten after every part, so an interrupted run keeps what it measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-work_dirs/benchmark_gpu}
shift || true
mkdir -p "$OUT"
export PYTHONPATH="$PWD/projects${PYTHONPATH:+:$PYTHONPATH}"

python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else \
'no CUDA device visible: this script benchmarks a GPU (CPU: tools/analysis/benchmark.py)')"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,power.limit \
    --format=csv > "$OUT/nvidia-smi.csv" 2>/dev/null || echo "nvidia-smi not available"

python tools/analysis/benchmark.py \
    --device cuda --batch-size 50 --iters 10 --warmup 3 \
    --ks 2,3 --sizes 224,384,512 --parts model,attention,data,eval \
    --out "$OUT/results.json" "$@" | tee "$OUT/results.txt"
echo "wrote $OUT/results.json and $OUT/results.txt"
