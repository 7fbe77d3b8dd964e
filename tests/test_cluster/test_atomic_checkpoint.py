"""Atomic checkpoint writes: gle.engine.AtomicLocalBackend and
AtomicCheckpointHook."""
import os
import os.path as osp

import pytest
from mmengine.fileio import get_file_backend
from mmengine.logging import MessageHub, MMLogger
from mmengine.registry import init_default_scope

import gle.engine.atomic_io as atomic_io
from gle.engine import (AtomicCheckpointHook, AtomicLocalBackend,
                        atomic_write_bytes)


class _FailingFile:
    """Writes half of the data for real, then fails (a full disk, a kill)."""

    def __init__(self, f, exc):
        self._f, self._exc = f, exc

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self._f.close()

    def write(self, data):
        self._f.write(data[:len(data) // 2])
        self._f.flush()
        raise self._exc

    def __getattr__(self, name):
        return getattr(self._f, name)


def _fail_writes(monkeypatch, exc):
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        atomic_io.os, 'fdopen',
        lambda fd, mode: _FailingFile(real_fdopen(fd, mode), exc))


def _leftovers(folder):
    return [n for n in os.listdir(folder) if n.endswith(atomic_io.TMP_SUFFIX)]


def test_atomic_write_replaces_file(tmp_path):
    target = tmp_path / 'sub' / 'epoch_1.pth'
    atomic_write_bytes(b'old', target)  # creates the folder
    atomic_write_bytes(b'new content', target)
    assert target.read_bytes() == b'new content'
    umask = os.umask(0)
    os.umask(umask)
    assert (target.stat().st_mode & 0o777) == (0o666 & ~umask)
    assert _leftovers(target.parent) == []


@pytest.mark.parametrize(
    'exc', [OSError(28, 'No space left on device'),
            KeyboardInterrupt()])
def test_interrupted_put_keeps_previous_file(tmp_path, monkeypatch, exc):
    backend = get_file_backend(
        str(tmp_path), backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)
    ckpt, last = str(tmp_path / 'epoch_1.pth'), str(tmp_path /
                                                    'last_checkpoint')
    backend.put(b'complete checkpoint' * 100, ckpt)
    backend.put_text(ckpt, last)
    _fail_writes(monkeypatch, exc)
    with pytest.raises(type(exc)):
        backend.put(b'x' * 10000, ckpt)
    with pytest.raises(type(exc)):
        backend.put_text('/somewhere/epoch_2.pth', last)
    assert backend.get(ckpt) == b'complete checkpoint' * 100
    assert backend.get_text(last) == ckpt
    assert _leftovers(tmp_path) == []  # the partial temp files were removed


def test_mmengine_local_backend_is_not_atomic(tmp_path, monkeypatch):
    """Why the backend exists: the same failure truncates mmengine's
    LocalBackend file."""
    import builtins

    from mmengine.fileio import LocalBackend
    path = str(tmp_path / 'epoch_1.pth')
    LocalBackend().put(b'complete checkpoint', path)
    real_open = builtins.open

    def failing_open(file, mode='r', *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        return _FailingFile(f, OSError(28, 'No space left on device')) \
            if 'w' in mode else f

    monkeypatch.setattr(builtins, 'open', failing_open)
    with pytest.raises(OSError):
        LocalBackend().put(b'new checkpoint, longer than before', path)
    monkeypatch.undo()
    assert LocalBackend().get(path) != b'complete checkpoint'


def test_remove_stale_tmp_files(tmp_path):
    stale = tmp_path / f'.epoch_2.pth.123.abcd{atomic_io.TMP_SUFFIX}'
    stale.write_bytes(b'partial')
    keep = tmp_path / 'epoch_1.pth'
    keep.write_bytes(b'ok')
    assert atomic_io.remove_stale_tmp_files(tmp_path) == [str(stale)]
    assert os.listdir(tmp_path) == ['epoch_1.pth']


def test_hook_defaults_to_atomic_backend():
    from mmpose.registry import HOOKS
    init_default_scope('mmpose')
    hook = HOOKS.build(dict(type='AtomicCheckpointHook', interval=1))
    assert hook.backend_args == dict(backend='atomic_local')
    remote = dict(backend='petrel')
    assert AtomicCheckpointHook(backend_args=remote).backend_args == remote


class _FakeRunner:
    """What CheckpointHook uses of a Runner; save_checkpoint writes through the
    hook's backend and can be told to die part-way."""

    def __init__(self, work_dir, name):
        self.work_dir = str(work_dir)
        self.logger = MMLogger.get_instance(f'{name}-logger')
        self.message_hub = MessageHub.get_instance(f'{name}-hub')
        self.fail = None
        self.epoch = 0

    def save_checkpoint(self,
                        out_dir,
                        filename,
                        file_client_args=None,
                        backend_args=None,
                        **kwargs):
        backend = get_file_backend(out_dir, backend_args=backend_args)
        data = f'weights of {filename}'.encode() * 1000
        path = backend.join_path(out_dir, filename)
        if self.fail:  # killed while writing
            raise self.fail
        backend.put(data, path)


def test_hook_keeps_last_checkpoint_valid_when_saving_dies(tmp_path):
    """max_keep_ckpts=1: mmengine deleted epoch_1 *before* writing epoch_2;
    here a failed save of epoch_2 leaves epoch_1 and last_checkpoint -> epoch_1
    usable."""
    runner = _FakeRunner(tmp_path, 'atomic-hook-test')
    hook = AtomicCheckpointHook(interval=1, max_keep_ckpts=1)
    hook.before_train(runner)
    hook._save_checkpoint_with_step(runner, 1, meta={})
    last_file = tmp_path / 'last_checkpoint'
    first = str(tmp_path / 'epoch_1.pth')
    assert last_file.read_text() == first and osp.isfile(first)

    runner.fail = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        hook._save_checkpoint_with_step(runner, 2, meta={})
    assert last_file.read_text() == first
    assert osp.isfile(first)

    # a new run of the hook (what --resume does) finishes the job
    runner.fail = None
    hook = AtomicCheckpointHook(interval=1, max_keep_ckpts=1)
    runner.message_hub.update_info('keep_ckpt_ids', [1])
    hook.before_train(runner)
    hook._save_checkpoint_with_step(runner, 2, meta={})
    assert last_file.read_text() == str(tmp_path / 'epoch_2.pth')
    assert sorted(n for n in os.listdir(tmp_path)
                  if n.endswith('.pth')) == ['epoch_2.pth']
    assert runner.message_hub.get_info('keep_ckpt_ids') == [2]
