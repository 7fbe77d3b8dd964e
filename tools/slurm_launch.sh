#!/usr/bin/env bash
# srun for tools/slurm_train.sh and tools/slurm_test.sh: one place for the
# task placement both use (one task per GPU).
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#       bash tools/slurm_launch.sh PARTITION JOB_NAME SCRIPT [SCRIPT args...]
# GPUS is the number of tasks. GPUS_PER_NODE=0 requests no GPUs (CPU partitions; the
# processes then use the gloo backend) and places GPUS tasks with no per-node limit.
set -ex
PARTITION=$1
JOB_NAME=$2
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}
if [ "$GPUS_PER_NODE" -gt 0 ]; then
    PLACEMENT="--gres=gpu:${GPUS_PER_NODE} --ntasks-per-node=${GPUS_PER_NODE}"
else
    PLACEMENT=""
fi

# shellcheck disable=SC2086
srun -p "${PARTITION}" \
    --job-name="${JOB_NAME}" \
    ${PLACEMENT} \
    --ntasks="${GPUS}" \
    --cpus-per-task="${CPUS_PER_TASK}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS} \
    "$PYTHON" -u "${@:3}"
