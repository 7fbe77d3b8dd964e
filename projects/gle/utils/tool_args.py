"""Command-line handling shared by ``tools/train.py`` and ``tools/test.py``."""
from argparse import Namespace

from mmengine.config import Config


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
