from .checkpoint import register_checkpoint_safe_globals
from .launch import select_dist_backend

__all__ = ['register_checkpoint_safe_globals', 'select_dist_backend']
