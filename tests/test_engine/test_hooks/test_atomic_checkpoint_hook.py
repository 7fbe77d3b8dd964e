"""AtomicCheckpointHook: registered where every scope finds it, and its copy
of mmengine's private CheckpointHook method still mirrors mmengine.

The atomic save / resume behaviour itself is tested in
tests/test_cluster/test_atomic_checkpoint.py and test_resume_after_kill.py.
"""
import hashlib
import inspect
import textwrap

import mmengine
import pytest
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS, DefaultScope

from gle.engine import AtomicCheckpointHook

#: sha256 of the dedented source of mmengine 0.10.7's
#: ``CheckpointHook._save_checkpoint_with_step``, which
#: ``AtomicCheckpointHook._save_checkpoint_with_step`` re-implements.
MIRRORED_METHOD_SHA256 = (
    '9b971b6cd3cc507da3041d5432ba5766d048eeebcf8b365df4417729c92d4763')


def test_mirrored_mmengine_method_is_unchanged():
    source = textwrap.dedent(
        inspect.getsource(CheckpointHook._save_checkpoint_with_step))
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == MIRRORED_METHOD_SHA256, (
        f'mmengine {mmengine.__version__} changed '
        'CheckpointHook._save_checkpoint_with_step, which '
        'gle/engine/atomic_checkpoint_hook.py re-implements (stale checkpoint '
        'removed after the save, last_checkpoint replaced atomically): carry '
        'the change over to AtomicCheckpointHook._save_checkpoint_with_step '
        '(keep_ckpt_ids bookkeeping, message hub keys, save_checkpoint '
        'arguments), rerun tests/test_cluster/test_atomic_checkpoint.py and '
        f'test_resume_after_kill.py, then record the new digest {digest}')


@pytest.mark.parametrize('caller',
                         ['_save_checkpoint', '_save_best_checkpoint'])
def test_mmengine_saves_through_the_overridden_method(caller):
    # the override only takes effect while mmengine's savers call it
    source = inspect.getsource(getattr(CheckpointHook, caller))
    assert 'self._save_checkpoint_with_step(' in source, (
        f'mmengine {mmengine.__version__}: CheckpointHook.{caller} no longer '
        'saves through _save_checkpoint_with_step; AtomicCheckpointHook must '
        'override what it calls now')
    assert '_save_checkpoint_with_step' in vars(AtomicCheckpointHook)


@pytest.mark.parametrize('scope', ['mmpose', 'mmdet', 'mmengine'])
def test_built_from_the_root_registry_in_every_scope(scope):
    assert HOOKS.get('AtomicCheckpointHook') is AtomicCheckpointHook
    with DefaultScope.overwrite_default_scope(scope):
        hook = HOOKS.build(dict(type='AtomicCheckpointHook', interval=1))
    assert isinstance(hook, AtomicCheckpointHook)
