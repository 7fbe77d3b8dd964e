#!/usr/bin/env bash
# Training through Slurm (one task per GPU).
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#       bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args...]
# GPUS is the number of tasks. GPUS_PER_NODE=0 requests no GPUs (CPU partitions; the
# processes then use the gloo backend) and places GPUS tasks with no per-node limit.
set -e
TOOLS=$(dirname "$0")

exec bash "$TOOLS/slurm_launch.sh" "$1" "$2" "$TOOLS/train.py" "$3" \
    --work-dir="$4" --launcher=slurm "${@:5}"
