from .checkpoint import (checkpoint_safe_globals, history_buffer_getattr,
                         safe_checkpoint_loading)
from .image_array import check_image
from .launch import (cpu_model_wrapper_cfg, dist_env, init_cpu_dist,
                     limit_cpu_threads, select_dist_backend, setup_distributed,
                     teardown_distributed)
from .left_right_pairs import (dataset_pairs, flip_pairs, load_pair_layout,
                               pair_name)
from .text_table import format_table

__all__ = [
    'safe_checkpoint_loading', 'checkpoint_safe_globals',
    'history_buffer_getattr', 'select_dist_backend', 'setup_distributed',
    'init_cpu_dist', 'dist_env', 'cpu_model_wrapper_cfg',
    'teardown_distributed', 'limit_cpu_threads', 'format_table', 'flip_pairs',
    'load_pair_layout', 'pair_name', 'dataset_pairs', 'check_image'
]
