"""Load a checkpoint into a built model, refusing one that does not fit.

mmengine's ``load_checkpoint`` (used by ``mmpose.apis.init_model`` and
``mmdet.apis.init_detector``) loads non-strictly: a checkpoint of another
model only logs a warning, and inference then silently runs with random
weights. Here a missing weight or a shape mismatch is an error that names
the file, says what does not fit and what to do.
"""
import logging
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner import CheckpointLoader, load_state_dict

from ..utils.checkpoint import safe_checkpoint_loading

#: how a role is called in messages, and the argument that takes its file
_ROLES = {
    'pose': ('pose (landmark)', 'the pose checkpoint'),
    'detector': ('detector', 'the detector checkpoint (--det-checkpoint)'),
}


class CheckpointMismatchError(ValueError):
    """A checkpoint that cannot be read, or that does not fit its config."""


def _hint(role: str, keys: List[str]) -> str:
    """Guess what the checkpoint is, from its parameter names."""
    is_detector = any(k.startswith('bbox_head.') for k in keys)
    is_pose = any(k.startswith('head.') for k in keys) and not is_detector
    if role == 'pose' and is_detector:
        return ('It looks like a DETECTOR checkpoint (it has "bbox_head.*" '
                'weights): pass it as ' + _ROLES['detector'][1] +
                ' together with its detector config')
    if role == 'detector' and is_pose:
        return ('It looks like a POSE (landmark) checkpoint (it has '
                '"head.*" weights and no "bbox_head.*"): pass it as ' +
                _ROLES['pose'][1] + ' together with its pose config')
    return ('It was probably trained with another config (e.g. the demo '
            'config instead of a paper config, or another k): use the '
            'config it was trained with (a copy is saved in its work_dir)')


def _compare(
    expected: Dict[str, 'object'], state: Dict[str, 'object']
) -> Tuple[List[str], List[str], List[Tuple[str, tuple, tuple]]]:
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    mismatched = []
    for key, value in expected.items():
        shape = getattr(state.get(key), 'shape', None)
        if key in state and tuple(shape or ()) != tuple(value.shape):
            mismatched.append((key, tuple(shape or ()), tuple(value.shape)))
    return missing, unexpected, mismatched


def load_checkpoint_checked(model: nn.Module,
                            checkpoint: str,
                            role: str = 'pose',
                            config: Optional[str] = None) -> dict:
    """Load ``checkpoint`` into ``model``; raise if it does not fit.

    Every weight of the model must be in the checkpoint with the same shape;
    extra weights in the checkpoint are loaded around with a warning.

    Args:
        model (nn.Module): The built model (weights are loaded in place).
        checkpoint (str): Path or URL of the ``.pth`` file.
        role (str): ``'pose'`` or ``'detector'``, used in messages.
        config (str, optional): The model's config file, used in messages.

    Returns:
        dict: The whole checkpoint (``state_dict``, ``meta`` ...).

    Raises:
        FileNotFoundError: The local file does not exist.
        CheckpointMismatchError: The file is not a readable checkpoint, or
            its weights do not fit the model.
    """
    what, argument = _ROLES[role]
    if not checkpoint:
        raise CheckpointMismatchError(
            f'no {what} checkpoint given: pass {argument}')
    if '://' not in checkpoint and not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'{what} checkpoint not found: {checkpoint}. Fix: check the path '
            '(tools/train.py writes checkpoints to its work_dir)')
    try:
        with safe_checkpoint_loading():
            ckpt = CheckpointLoader.load_checkpoint(
                checkpoint, map_location='cpu')
    except Exception as e:  # noqa: BLE001  (any loader error, re-explained)
        raise CheckpointMismatchError(
            f'cannot read the {what} checkpoint {checkpoint} '
            f'({type(e).__name__}: {e}). Fix: pass a .pth file saved by '
            'training (tools/train.py or mmdet\'s tools/train.py)') from e
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise CheckpointMismatchError(
            f'the {what} checkpoint {checkpoint} holds no state dict (got '
            f'{type(ckpt).__name__}). Fix: pass a .pth file saved by '
            'training')
    # as mmengine's load_checkpoint does: weights saved from a wrapper
    state = {re.sub(r'^module\.', '', k): v for k, v in state.items()}

    missing, unexpected, mismatched = _compare(model.state_dict(), state)
    if missing or mismatched:
        n = len(model.state_dict())
        problems = []
        if missing:
            problems.append(f'{len(missing)} of the model\'s {n} weights are '
                            f'missing (e.g. {missing[0]!r})')
        if mismatched:
            key, got, want = mismatched[0]
            problems.append(f'{len(mismatched)} have another shape (e.g. '
                            f'{key!r}: {got} in the file, {want} in the '
                            'model)')
        for_config = f' built from {config}' if config else ''
        raise CheckpointMismatchError(
            f'the {what} checkpoint {checkpoint} does not fit the {what} '
            f'model{for_config}: {"; ".join(problems)}. '
            f'{_hint(role, list(state))}')
    if unexpected:
        print_log(
            f'{what} checkpoint {checkpoint}: {len(unexpected)} weight(s) '
            f'the model does not use were ignored (e.g. {unexpected[0]!r})',
            logger='current',
            level=logging.WARNING)
    load_state_dict(model, state, strict=False)
    return ckpt
