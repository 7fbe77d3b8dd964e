"""Launch-time adjustments shared by ``tools/train.py`` and ``tools/test.py``."""
import torch
from mmengine.config import Config


def select_dist_backend(cfg: Config) -> str:
    """Use gloo for distributed runs when no GPU is visible.

    Configs inherit ``env_cfg.dist_cfg.backend='nccl'`` (MMPose's default), which cannot
    start without CUDA; on a CPU-only machine (or a CPU test of the launch scripts) the
    only portable torch.distributed backend is gloo. An explicit non-nccl choice in the
    config is kept. Returns the backend in effect.
    """
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    backend = dist_cfg.get('backend', 'nccl')
    if backend == 'nccl' and not torch.cuda.is_available():
        backend = 'gloo'
    dist_cfg['backend'] = backend
    return backend
