"""Command-line handling shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp
from argparse import ArgumentParser, Namespace

from mmengine.config import Config


def add_visualization_args(parser: ArgumentParser, shown: str) -> None:
    """Add MMPose's ``--show-dir``, ``--show``, ``--interval`` and
    ``--wait-time`` (applied by :func:`merge_visualization_args`).

    Args:
        parser (ArgumentParser): The tool's parser.
        shown (str): What is drawn, for the help: ``'validation'`` or
            ``'test'``.
    """
    parser.add_argument(
        '--show-dir', help=f'save visualized {shown} images here')
    parser.add_argument(
        '--show',
        action='store_true',
        help=f'show {shown} results in a window')
    parser.add_argument(
        '--interval', type=int, default=1, help='visualize every N samples')
    parser.add_argument(
        '--wait-time', type=float, default=1, help='window display time (s)')


def add_launcher_args(parser: ArgumentParser) -> None:
    """Add MMPose's ``--launcher`` and ``--local_rank`` (``--local-rank``,
    which ``torch.distributed.launch`` passes)."""
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def merge_work_dir(cfg: Config, args: Namespace) -> None:
    """``--work-dir``, else the config's ``work_dir``, else
    ``./work_dirs/<config name>`` (MMPose semantics)."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])


def merge_visualization_args(cfg: Config, args: Namespace) -> None:
    """Apply ``--show/--show-dir/--interval/--wait-time`` to the visualization
    hook (MMPose semantics); a clear error when the config has no such hook."""
    if not (args.show or args.show_dir is not None):
        return
    if 'visualization' not in cfg.default_hooks:
        raise KeyError('--show/--show-dir need default_hooks.visualization='
                       'dict(type="PoseVisualizationHook") in the config')
    vis = cfg.default_hooks.visualization
    vis.enable = True
    vis.show = args.show
    vis.wait_time = args.wait_time
    vis.out_dir = args.show_dir
    vis.interval = args.interval
