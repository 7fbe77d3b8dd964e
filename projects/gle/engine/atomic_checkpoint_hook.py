"""``AtomicCheckpointHook``: mmengine's CheckpointHook with crash-safe
writes."""
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from .atomic_io import atomic_write_bytes, remove_stale_tmp_files


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """CheckpointHook whose checkpoints and ``last_checkpoint`` survive a kill.

    Differences from ``mmengine.hooks.CheckpointHook`` (same arguments):

    * Without ``backend_args`` / ``file_client_args`` checkpoints are written
      through the ``atomic_local`` backend
      (:class:`gle.engine.AtomicLocalBackend`: temp file in the same folder,
      fsync, ``os.replace``). Explicit ``backend_args`` are respected (e.g. a
      remote store).
    * ``work_dir/last_checkpoint`` (what ``--resume`` reads) is replaced
      atomically instead of being truncated and rewritten, and only after the
      checkpoint it names is complete.
    * With ``max_keep_ckpts`` the oldest checkpoint is deleted *after* the new
      one and ``last_checkpoint`` are written (mmengine deletes it first, so
      with ``max_keep_ckpts=1`` a kill while saving left no checkpoint at all).
    * Before training, temporary files left by a killed writer are removed.
    """

    def __init__(self,
                 *args,
                 backend_args=None,
                 file_client_args=None,
                 **kwargs):
        if backend_args is None and file_client_args is None:
            backend_args = dict(backend='atomic_local')
        super().__init__(
            *args,
            backend_args=backend_args,
            file_client_args=file_client_args,
            **kwargs)

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if is_main_process() and isinstance(self.file_backend, LocalBackend):
            for folder in {self.out_dir, runner.work_dir}:
                for path in remove_stale_tmp_files(folder):
                    runner.logger.info(f'Removed the partial write {path}')

    def _save_checkpoint_with_step(self, runner, step, meta):
        """Save the checkpoint of ``step`` as mmengine 0.10.7 does, but
        replace ``last_checkpoint`` atomically and remove the stale checkpoint
        last.

        This re-implements mmengine's private method of the same name: the
        deletion order and the ``open(..., 'w')`` of ``last_checkpoint`` are
        inside it and no public hook method reaches them. The bookkeeping is
        mmengine's (``keep_ckpt_ids`` goes into the checkpoint's message
        hub); tests/test_engine/test_hooks/test_atomic_checkpoint_hook.py
        fails when mmengine's method changes.
        """
        stale_step = None
        if self.max_keep_ckpts > 0 and not (len(self.keep_ckpt_ids) > 0 and
                                            self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                stale_step = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)

        runner.save_checkpoint(
            self.out_dir,
            ckpt_filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)

        if not is_main_process():
            return
        atomic_write_bytes(
            str(self.last_ckpt).encode('utf-8'),
            osp.join(runner.work_dir, 'last_checkpoint'))

        if stale_step is not None:
            stale = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(stale_step))
            if self.file_backend.isfile(stale):
                self.file_backend.remove(stale)
            elif self.file_backend.isdir(stale):  # deepspeed saves folders
                self.file_backend.rmtree(stale)
