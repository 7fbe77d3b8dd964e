"""Train a GLE (or any MMPose) model. Same command line as MMPose's
tools/train.py.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--no-validate] [--cfg-options k=v ...] [--launcher
        pytorch]

Differences from MMPose's copy: without a visible GPU, distributed runs
(``--launcher pytorch|slurm``) use the gloo backend, a process group started by
``gle.utils.setup_distributed`` (mmengine's ``init_dist`` needs CUDA) and DDP
with ``device_ids=None``, so tools/dist_train.sh and tools/slurm_train.sh also
run on CPU. See docs/cluster.md.
"""
import argparse
import os

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from gle.utils import (safe_checkpoint_loading, setup_distributed,
                       teardown_distributed)
from gle.utils.tool_args import (add_launcher_args, add_visualization_args,
                                 merge_visualization_args, merge_work_dir)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a pose model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or (no value) from the latest '
        'checkpoint in the work directory')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate checkpoints during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by (GPUs x batch per GPU) / '
        'auto_scale_lr.base_batch_size')
    add_visualization_args(parser, 'validation')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. train_dataloader.batch_size=8')
    add_launcher_args(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg, args):
    """Merge command-line arguments into the config (MMPose semantics)."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    merge_work_dir(cfg, args)
    if args.amp:
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(
                f'--amp does not support optim_wrapper.type={wrapper!r}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise KeyError('--auto-scale-lr needs `auto_scale_lr = '
                           'dict(base_batch_size=N)` '
                           f'in {args.config}')
        cfg.auto_scale_lr.enable = True
    merge_visualization_args(cfg, args)
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
    # weights-only loading of mmengine checkpoints (load_from, --resume)
    with safe_checkpoint_loading():
        runner.train()
    teardown_distributed()  # no-op unless setup_distributed started a group


if __name__ == '__main__':
    main()
