#!/usr/bin/env bash
# Distributed training on one or more nodes with torchrun.
#   bash tools/dist_train.sh CONFIG NUM_PROCS [train.py args...]
# Env: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR (127.0.0.1).
# Without a visible GPU the processes use the gloo backend (CPU training/testing).
set -e
CONFIG=$1
GPUS=$2
TOOLS=$(dirname "$0")

exec bash "$TOOLS/dist_launch.sh" "$GPUS" "$TOOLS/train.py" "$CONFIG" \
    --launcher pytorch "${@:3}"
