"""Weights-only checkpoint loading: exactly mmengine's globals, only inside
``safe_checkpoint_loading``; a crafted checkpoint never runs code."""
import os.path as osp
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import save_checkpoint

from gle.utils import (checkpoint_safe_globals, history_buffer_getattr,
                       safe_checkpoint_loading)

HERE = osp.dirname(osp.abspath(__file__))


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (a clean weights-only state)."""
    return subprocess.run([sys.executable, '-c',
                           textwrap.dedent(code)],
                          cwd=HERE,
                          text=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          timeout=300)


@pytest.fixture
def crafted(tmp_path):
    from crafted_checkpoint import write_crafted_checkpoint
    path, marker = tmp_path / 'evil.pth', tmp_path / 'pwned'
    write_crafted_checkpoint(path, marker)
    return path, marker


@pytest.fixture
def training_checkpoint(tmp_path):
    """What mmengine's Runner saves: numpy metainfo and a message hub of
    HistoryBuffers."""
    hub = MessageHub.get_instance('gle_test_checkpoint')
    for step in range(3):
        hub.update_scalar('train/loss', float(step))
        hub.update_scalar('train/lr', np.float64(1e-3))
    hub.update_info('keep_ckpt_ids', [1, 2])
    path = tmp_path / 'epoch_1.pth'
    save_checkpoint(
        dict(
            state_dict={'head.w': torch.ones(2)},
            meta=dict(
                seed=np.int64(1234),
                dataset_meta=dict(
                    sigmas=np.full(8, 0.025, dtype=np.float32),
                    keypoint_colors=np.zeros((8, 3), dtype=np.uint8),
                    flip_indices=[1, 0])),
            message_hub=hub.state_dict()), str(path))
    return path


def test_the_payload_is_real_code_execution_with_the_builtin_getattr(crafted):
    """Guards the tests below: with ``builtins.getattr`` allowed (what
    importing gle used to do) the file runs its code."""
    path, marker = crafted
    proc = _python(f"""
        import builtins, torch
        torch.serialization.add_safe_globals([builtins.getattr])
        try:
            torch.load({str(path)!r}, weights_only=True)
        except Exception:
            pass
        """)
    assert proc.returncode == 0, proc.stdout
    assert marker.read_text() == 'pwned'


def test_importing_gle_leaves_torch_allow_list_alone(crafted):
    path, marker = crafted
    proc = _python(f"""
        import builtins, pickle, torch
        import gle
        from gle.utils import checkpoint_safe_globals
        # (torch registers some of its own classes when its submodules load)
        registered = torch.serialization.get_safe_globals()
        ours = [g for g in checkpoint_safe_globals() if g in registered]
        mine = [g for g in registered if 'numpy' in str(g)
                or 'mmengine' in str(g) or g is builtins.getattr]
        assert not ours and not mine, (ours, mine)
        try:
            torch.load({str(path)!r}, weights_only=True)
        except pickle.UnpicklingError as e:
            print('refused:', e)
        """)
    assert proc.returncode == 0, proc.stdout
    assert 'Unsupported global: GLOBAL getattr' in proc.stdout
    assert not marker.exists()


def test_crafted_checkpoint_refused_inside_safe_loading(crafted):
    path, marker = crafted
    with safe_checkpoint_loading():
        with pytest.raises(pickle.UnpicklingError, match='refused getattr'):
            torch.load(str(path), weights_only=True)
    assert not marker.exists()


def test_training_checkpoint_loads_weights_only(training_checkpoint):
    with pytest.raises(pickle.UnpicklingError):
        torch.load(str(training_checkpoint), weights_only=True)
    with safe_checkpoint_loading():
        ckpt = torch.load(str(training_checkpoint), weights_only=True)
    buffer = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer) and buffer.mean() == 1.0
    assert buffer.statistics('max') == 2.0  # the pickled statistics methods
    assert ckpt['meta']['dataset_meta']['sigmas'].dtype == np.float32
    assert ckpt['meta']['seed'] == 1234


def test_allow_list_is_exactly_what_checkpoints_hold(training_checkpoint):
    allowed = {}
    for entry in checkpoint_safe_globals():
        obj, name = entry if isinstance(
            entry, tuple) else (entry,
                                f'{entry.__module__}.{entry.__qualname__}')
        allowed[name] = obj
    # the real getattr never; its name maps to the restricted one
    assert allowed['builtins.getattr'] is history_buffer_getattr
    assert getattr not in allowed.values()
    assert not any(
        name.startswith(('builtins.', 'os', 'subprocess',
                         'sys')) and name != 'builtins.getattr'
        for name in allowed)
    # nothing numpy beyond arrays, dtypes and scalars
    extra = {name
             for name in allowed if name.startswith('numpy')} - {
                 'numpy.core.multiarray._reconstruct', 'numpy.ndarray',
                 'numpy.dtype', 'numpy.core.multiarray.scalar'
             }
    assert all(
        name.startswith('numpy.dtypes.') and name.endswith('DType')
        for name in extra), extra
    assert not any('Object' in name or 'Void' in name for name in extra)
    # and every global of a real checkpoint is covered
    held = set(
        torch.serialization.get_unsafe_globals_in_checkpoint(
            str(training_checkpoint)))
    assert held <= set(allowed), held - set(allowed)


def test_allow_list_only_inside_the_block():

    def ours():
        return [
            g for g in torch.serialization.get_safe_globals()
            if g in checkpoint_safe_globals()
        ]

    assert ours() == []
    with safe_checkpoint_loading():
        assert len(ours()) == len(checkpoint_safe_globals())
    assert ours() == []


@pytest.mark.parametrize('obj,name', [(HistoryBuffer, '__init__'),
                                      (HistoryBuffer, '__class__'),
                                      (getattr, '__self__'), (np, 'load'),
                                      (HistoryBuffer(), 'min')])
def test_history_buffer_getattr_refuses_everything_else(obj, name):
    with pytest.raises(pickle.UnpicklingError, match='refused getattr'):
        history_buffer_getattr(obj, name)


def test_history_buffer_getattr_returns_the_statistics():
    for name in ('min', 'max', 'current', 'mean'):
        assert history_buffer_getattr(HistoryBuffer, name) is getattr(
            HistoryBuffer, name)
