"""Test a GLE (or any MMPose) model. Same command line as MMPose's
tools/test.py.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out
    metrics.json]
        [--dump preds.json|preds.pkl] [--show-dir DIR] [--cfg-options k=v ...]
        [--launcher pytorch]

The NormalizedError metric logs the paper-style NE table at the end of the run.
A checkpoint that does not fit the config (missing, extra or reshaped weights,
e.g. k=0 weights in a k=2 config) or a file that is not a checkpoint (empty,
truncated, another format) is refused with a message naming the file and the
keys, instead of testing random layers.
``--dump *.json`` writes one record per test item (image, box, 8 predicted
landmarks with scores); ``--dump *.pkl`` writes mmengine's raw data samples as
MMPose does. Distributed testing (tools/dist_test.sh, tools/slurm_test.sh) also
runs on CPU (gloo), like training: see tools/train.py and docs/cluster.md.
"""
import argparse
import os
import os.path as osp
import re
import zipfile
from collections import Counter

import mmengine
import torch
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from gle.apis import CheckpointMismatchError, load_checkpoint_checked
from gle.utils import (safe_checkpoint_loading, setup_distributed,
                       teardown_distributed)
from gle.utils.tool_args import (add_launcher_args, add_visualization_args,
                                 merge_visualization_args, merge_work_dir)

#: the bytes torch.save's legacy (pre-zip) format starts with, after the
#: pickle protocol header: LONG1 of torch.serialization.MAGIC_NUMBER
_LEGACY_MAGIC = b'\x8a\n' + torch.serialization.MAGIC_NUMBER.to_bytes(
    10, 'little')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Evaluate a pose model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the directory to save evaluation results')
    parser.add_argument(
        '--out', help='save the metric results to this file (json/yaml/pkl)')
    parser.add_argument(
        '--dump', help='dump predictions to a .json or .pkl file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. test_dataloader.batch_size=8')
    add_visualization_args(parser, 'test')
    add_launcher_args(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args):
    """Merge command-line arguments into the config (MMPose semantics)."""
    cfg.launcher = args.launcher
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    check_checkpoint_file(args.checkpoint)
    cfg.load_from = args.checkpoint
    merge_work_dir(cfg, args)
    merge_visualization_args(cfg, args)
    if args.dump is not None:
        if args.dump.endswith('.json'):
            dump = dict(type='DumpFashionPredictions', out_file_path=args.dump)
        elif args.dump.endswith(('.pkl', '.pickle')):
            dump = dict(type='DumpResults', out_file_path=args.dump)
        else:
            raise ValueError(
                f'--dump {args.dump}: use a .json or .pkl file name')
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, (list, tuple)):
            cfg.test_evaluator = [*evaluator, dump]
        else:
            cfg.test_evaluator = [evaluator, dump]
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def check_checkpoint_file(path):
    """Refuse a local file that cannot be a PyTorch checkpoint, before the
    unpickler sees it: an empty or truncated download, or another kind of
    file (torch's own error for those advises ``weights_only=False``, which
    would unpickle an untrusted file).

    Args:
        path (str): The ``.pth`` file.

    Raises:
        CheckpointMismatchError: Naming the file and what it is.
    """
    size = osp.getsize(path)
    fix = ('Fix: pass a .pth file written by tools/train.py; if it was '
           'downloaded or copied, do it again')
    if size == 0:
        raise CheckpointMismatchError(
            f'checkpoint {path} is empty (0 bytes). {fix}')
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        if not any(n == 'data.pkl' or n.endswith('/data.pkl') for n in names):
            raise CheckpointMismatchError(
                f'checkpoint {path} is a zip archive without data.pkl, not '
                f'a PyTorch checkpoint. {fix}')
        return
    with open(path, 'rb') as f:
        head = f.read(32)
    if _LEGACY_MAGIC not in head:
        raise CheckpointMismatchError(
            f'checkpoint {path} ({size} bytes) is not a PyTorch checkpoint: '
            'neither a complete zip archive (what torch.save writes) nor a '
            'legacy torch file. It is truncated (an interrupted download or '
            f'copy) or another kind of file. {fix}')


def _key_groups(keys, depth=3):
    """``['neck.gle_modules.0.a', 'neck.gle_modules.0.b']`` ->
    ``'neck.gle_modules.0.* (2)'``: the keys by their first ``depth``
    components."""
    groups = Counter('.'.join(k.split('.')[:depth]) for k in keys)
    return ', '.join(f'{g}.* ({n})' for g, n in sorted(groups.items()))


def load_checked(runner, checkpoint, config):
    """Load ``checkpoint`` into the runner's model and refuse one of another
    architecture (mmengine loads non-strictly: the test would score random
    layers, or drop trained ones).

    Missing weights and shape mismatches are refused by
    :func:`gle.apis.load_checkpoint_checked`; weights the model does not
    have (e.g. k=2 GLE modules for a k=0 config) are refused here.

    Args:
        runner (Runner): The built runner.
        checkpoint (str): The checkpoint file.
        config (str): The config file (for messages).

    Raises:
        CheckpointMismatchError: The checkpoint does not fit the config.
    """
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    ckpt = load_checkpoint_checked(model, checkpoint, 'pose', config)
    state = ckpt.get('state_dict', ckpt)
    expected = model.state_dict()
    unexpected = [
        k for k in (re.sub(r'^module\.', '', k) for k in state)
        if k not in expected
    ]
    if unexpected:
        raise CheckpointMismatchError(
            f'the checkpoint {checkpoint} does not fit the model built from '
            f'{config}: it has {len(unexpected)} weights the model does not '
            f'have: {_key_groups(unexpected)}. It was probably trained with '
            'another config (e.g. another number of GLE modules, '
            'model.neck.num_modules, or the demo config instead of a paper '
            'config): use the config it was trained with (a copy is saved in '
            'its work_dir)')


def main(argv=None):
    args = parse_args(argv)
    cfg = merge_args(Config.fromfile(args.config), args)
    # distributed launches: gloo + our own process-group init on CPU; GPU runs
    # are left to mmengine; a no-op for launcher 'none'
    setup_distributed(cfg)
    runner = Runner.from_cfg(cfg)

    if args.out:

        class SaveMetricHook(Hook):

            def after_test_epoch(self, _, metrics=None):
                if metrics is not None:
                    mmengine.dump(metrics, args.out)

        runner.register_hook(SaveMetricHook(), 'LOWEST')
    # weights-only loading of mmengine checkpoints
    with safe_checkpoint_loading():
        # refuse a checkpoint of another architecture up front; the runner
        # then loads it again as usual (its hooks, e.g. EMAHook, see it)
        load_checked(runner, args.checkpoint, args.config)
        metrics = runner.test()
    teardown_distributed()  # no-op unless setup_distributed started a group
    return metrics


if __name__ == '__main__':
    main()
