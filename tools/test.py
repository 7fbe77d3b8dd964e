"""Test a GLE (or any MMPose) model. Same command line as MMPose's
tools/test.py.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out
    metrics.json]
        [--dump preds.json|preds.pkl] [--show-dir DIR] [--cfg-options k=v ...]
        [--launcher pytorch]

The NormalizedError metric logs the paper-style NE table at the end of the run.
``--dump *.json`` writes one record per test item (image, box, 8 predicted
landmarks with scores); ``--dump *.pkl`` writes mmengine's raw data samples as
MMPose does. Distributed testing (tools/dist_test.sh, tools/slurm_test.sh) also
runs on CPU (gloo), like training: see tools/train.py and docs/cluster.md.
"""
import argparse
import os
import os.path as osp

import mmengine
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.runner import Runner

from gle.utils import (safe_checkpoint_loading, setup_distributed,
                       teardown_distributed)
from gle.utils.tool_args import merge_visualization_args


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
    parser.add_argument('--show-dir', help='save visualized test images here')
    parser.add_argument(
        '--show', action='store_true', help='show results in a window')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualize every N samples')
    parser.add_argument(
        '--wait-time', type=float, default=1, help='window display time (s)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args):
    """Merge command-line arguments into the config (MMPose semantics)."""
    cfg.launcher = args.launcher
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg.load_from = args.checkpoint
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
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
        metrics = runner.test()
    teardown_distributed()  # no-op unless setup_distributed started a group
    return metrics


if __name__ == '__main__':
    main()
