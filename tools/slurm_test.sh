#!/usr/bin/env bash
# Testing through Slurm (one task per GPU).
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#       bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
# GPUS_PER_NODE=0 requests no GPUs (CPU partitions, gloo backend).
set -e
TOOLS=$(dirname "$0")

exec bash "$TOOLS/slurm_launch.sh" "$1" "$2" "$TOOLS/test.py" "$3" "$4" \
    --launcher=slurm "${@:5}"
