#!/usr/bin/env bash
# Distributed testing with torchrun.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py args...]
# Env: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR (127.0.0.1).
# Without a visible GPU the processes use the gloo backend.
set -e
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
TOOLS=$(dirname "$0")

exec bash "$TOOLS/dist_launch.sh" "$GPUS" "$TOOLS/test.py" "$CONFIG" \
    "$CHECKPOINT" --launcher pytorch "${@:4}"
