"""Load a checkpoint into a built model, refusing one that does not fit.

mmengine's ``load_checkpoint`` (used by ``mmpose.apis.init_model``,
``mmdet.apis.init_detector`` and the inferencers) loads non-strictly: a
checkpoint of another model only logs a warning, and inference then silently
runs with random weights. Here the same ``load_checkpoint`` (``module.``
prefixes stripped by its ``revise_keys``) reports what does not fit, and a
missing weight or a shape mismatch becomes an error that names the file, says
what does not fit and what to do.
"""
import logging
import os.path as osp
import re
from typing import List, Optional, Tuple

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.runner import load_checkpoint

from ..utils.checkpoint import safe_checkpoint_loading

#: how a role is called in messages, and the argument that takes its file
_ROLES = {
    'pose': ('pose (landmark)', 'the pose checkpoint'),
    'detector': ('detector', 'the detector checkpoint (--det-checkpoint)'),
}
#: weights saved from a model wrapper (DDP, DataParallel)
REVISE_KEYS = [(r'^module\.', '')]
#: the lines of mmengine's ``load_state_dict`` report (and torch's size
#: mismatch message it includes)
_MISSING = 'missing keys in source state_dict: '
_UNEXPECTED = 'unexpected key in source state_dict: '
_SIZE_MISMATCH = re.compile(r'size mismatch for (\S+): copying a param with '
                            r'shape (.+?) from checkpoint, the shape in '
                            r'current model is (.+?)\.?$')


class CheckpointMismatchError(ValueError):
    """A checkpoint that cannot be read, or that does not fit its config."""


class _Report(logging.Handler):
    """Collects what ``load_checkpoint`` logs at WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(record.getMessage().splitlines())

    def keys(self, prefix: str) -> List[str]:
        for line in self.lines:
            if line.startswith(prefix):
                return [k for k in line[len(prefix):].strip().split(', ') if k]
        return []

    def size_mismatches(self) -> List[Tuple[str, str, str]]:
        found = (_SIZE_MISMATCH.match(line.strip()) for line in self.lines)
        return [(m[1], _shape(m[2]), _shape(m[3])) for m in found if m]


def _shape(text: str) -> str:
    """``'torch.Size([8, 16])'`` -> ``'(8, 16)'``, as a tuple prints."""
    m = re.fullmatch(r'torch\.Size\(\[(.*)\]\)', text)
    if not m:
        return text
    return str(tuple(int(v) for v in m[1].split(',') if v.strip()))


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


def load_checkpoint_checked(model: nn.Module,
                            checkpoint: str,
                            role: str = 'pose',
                            config: Optional[str] = None) -> dict:
    """Load ``checkpoint`` into ``model``; raise if it does not fit.

    Every weight of the model must be in the checkpoint with the same shape
    (BatchNorm's ``num_batches_tracked`` counters excepted, as in mmengine);
    extra weights in the checkpoint are loaded around with a warning. The
    file is read with torch's weights-only unpickler inside
    :func:`gle.utils.safe_checkpoint_loading`.

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
    # mmengine reports mismatches through a logger: collect its report
    # instead of printing it, and explain it below
    report = _Report()
    logger = logging.Logger('gle.load_checkpoint_checked')
    logger.addHandler(report)
    try:
        with safe_checkpoint_loading():
            ckpt = load_checkpoint(
                model,
                checkpoint,
                map_location='cpu',
                strict=False,
                logger=logger,
                revise_keys=REVISE_KEYS)
    except Exception as e:  # noqa: BLE001  (any loader error, re-explained)
        if 'No state_dict found' in str(e) or isinstance(e, AttributeError):
            raise CheckpointMismatchError(
                f'the {what} checkpoint {checkpoint} holds no state dict '
                f'({type(e).__name__}: {e}). Fix: pass a .pth file saved by '
                'training') from e
        raise CheckpointMismatchError(
            f'cannot read the {what} checkpoint {checkpoint} '
            f'({type(e).__name__}: {e}). Fix: pass a .pth file saved by '
            'training (tools/train.py or mmdet\'s tools/train.py)') from e

    missing = report.keys(_MISSING)
    mismatched = report.size_mismatches()
    unexpected = report.keys(_UNEXPECTED)
    if missing or mismatched:
        n = sum('num_batches_tracked' not in k for k in model.state_dict())
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
        state = ckpt.get('state_dict', ckpt)
        raise CheckpointMismatchError(
            f'the {what} checkpoint {checkpoint} does not fit the {what} '
            f'model{for_config}: {"; ".join(problems)}. '
            f'{_hint(role, list(state))}')
    if report.lines and not unexpected:
        # a report this module does not know how to read: never swallow it
        raise CheckpointMismatchError(
            f'the {what} checkpoint {checkpoint} does not fit the {what} '
            f'model: {" ".join(report.lines)}')
    if unexpected:
        print_log(
            f'{what} checkpoint {checkpoint}: {len(unexpected)} weight(s) '
            f'the model does not use were ignored (e.g. {unexpected[0]!r})',
            logger='current',
            level=logging.WARNING)
    return ckpt
