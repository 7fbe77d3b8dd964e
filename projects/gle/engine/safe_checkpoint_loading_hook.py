"""``SafeCheckpointLoadingHook``: weights-only loading of mmengine checkpoints
for the length of a run."""
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from ..utils.checkpoint import safe_checkpoint_loading


@HOOKS.register_module()
class SafeCheckpointLoadingHook(Hook):
    """Let the runner load mmengine checkpoints with ``weights_only=True``.

    The Runner loads ``load_from`` / ``resume`` checkpoints and
    ``init_cfg=dict(type='Pretrained')`` weights after ``before_run``; this
    hook opens :func:`gle.utils.safe_checkpoint_loading` in ``before_run`` and
    closes it in ``after_run``, so torch's weights-only unpickler accepts the
    numpy arrays and ``HistoryBuffer`` objects of mmengine checkpoints (and
    nothing else) during the run only. Every config of this repository lists
    it in ``default_hooks``, which makes stock MMPose/mmdet tools
    (``tools/train.py --resume``, ``tools/test.py``) load our checkpoints
    without changing the process for other libraries.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._context = None

    def before_run(self, runner) -> None:
        if self._context is None:
            self._context = safe_checkpoint_loading()
            self._context.__enter__()

    def after_run(self, runner) -> None:
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context = None
