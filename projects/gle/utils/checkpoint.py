"""Let torch >= 2.6 (``weights_only=True`` by default) load mmengine
checkpoints.

mmengine 0.10.7 checkpoints pickle numpy arrays/dtypes and a ``HistoryBuffer``
(message hub), which the weights-only unpickler rejects ("Unsupported global:
numpy.core.multiarray ._reconstruct"), breaking ``load_checkpoint`` and
``--resume`` (open-mmlab/mmengine#1655). We allow-list exactly those globals
instead of disabling weights-only loading for all pickles.
"""
import builtins

import numpy as np
import torch


def _numpy_globals():
    globs = [
        np.ndarray, np.dtype, np.core.multiarray.scalar,
        np.core.multiarray._reconstruct
    ]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        globs += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType')
        ]
    return globs


def register_checkpoint_safe_globals():
    """Allow-list the globals found in mmengine checkpoints (idempotent)."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is None:  # torch < 2.4 loads full pickles by default
        return
    from mmengine.logging import HistoryBuffer
    add([HistoryBuffer, builtins.getattr] + _numpy_globals())
