"""Crash-safe local file writes for checkpoints.

mmengine's ``LocalBackend.put`` opens the destination with ``'wb'`` and writes
into it: a process killed while saving (SIGKILL, OOM killer, a Slurm time
limit, a node failure) leaves a truncated ``epoch_N.pth`` that ``--resume``
then fails to load. Here every write goes to a temporary file in the same
folder, is flushed and fsync'ed, and replaces the destination with
``os.replace`` (atomic on POSIX within one file system): readers see either the
complete old file or the complete new one, never a partial one.
"""
import os
import os.path as osp
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

#: temporary files are ``.<name>.<pid>.<random>.gle-tmp`` next to the
#: destination
TMP_SUFFIX = '.gle-tmp'


def _fsync_dir(dirname: str) -> None:
    """Persist a rename (best effort: not every file system supports it)."""
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(data: bytes, filepath: Union[str, Path]) -> None:
    """Write ``data`` to ``filepath`` atomically (temp file + fsync +
    ``os.replace``).

    Creates the parent folder. The new file gets the usual ``0o666 & ~umask``
    mode. If anything fails before the rename, the temporary file is removed,
    the exception is re-raised and an existing ``filepath`` is left untouched.
    """
    filepath = os.fspath(filepath)
    dirname = osp.dirname(osp.abspath(filepath))
    os.makedirs(dirname, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
    while True:
        tmp = osp.join(
            dirname, f'.{osp.basename(filepath)}.{os.getpid()}.'
            f'{os.urandom(4).hex()}{TMP_SUFFIX}')
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(dirname)


def remove_stale_tmp_files(dirname: Union[str, Path]) -> list:
    """Delete temporary files a killed writer left in ``dirname``; returns
    their paths."""
    removed = []
    dirname = os.fspath(dirname)
    if not osp.isdir(dirname):
        return removed
    for name in os.listdir(dirname):
        if name.startswith('.') and name.endswith(TMP_SUFFIX):
            path = osp.join(dirname, name)
            try:
                os.remove(path)
                removed.append(path)
            except OSError:
                pass
    return removed


@register_backend('atomic_local', force=True)
class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose ``put`` / ``put_text`` replace files atomically.

    Select it with ``backend_args=dict(backend='atomic_local')`` (the
    ``AtomicCheckpointHook`` of our configs does). Reads, listing and removal
    are ``LocalBackend``'s.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write_bytes(obj, filepath)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write_bytes(obj.encode(encoding), filepath)
