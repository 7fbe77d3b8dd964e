"""Benchmarks of the GLE plugin, run by tools/analysis/benchmark.py
(docs/benchmark.md).

One module per part: ``model_benchmark`` (plugin vs the plain-PyTorch
:class:`PlainGLENet`, channels_last / autocast variants),
``attention_benchmark`` (explicit vs sdpa non-local attention),
``data_benchmark`` (training pipeline vs :class:`AuthorsStylePipeline`),
``eval_benchmark`` (normalized error); ``measure`` holds the timing, memory
and FLOP helpers, ``report`` the text report. ``plain_gle_net`` and
``plain_non_local`` are the independent reference network (``torch.nn``
only). Not imported by ``import gle``.
"""
from .attention_benchmark import bench_attention
from .authors_style_pipeline import AuthorsStylePipeline, skimage_like_resize
from .data_benchmark import bench_data, prepare_fashion_data
from .eval_benchmark import bench_eval, synthetic_predictions
from .measure import (CPU_MEMORY_METHOD, CUDA_MEMORY_METHOD, count_flops,
                      measure_peaks)
from .model_benchmark import bench_model, bench_variants
from .paper_models import (PAPER_CONFIGS, REPO_ROOT, activate_non_local,
                           build_plugin_model, load_config)
from .plain_gle_net import PlainGLENet, load_plugin_weights, num_params
from .plain_non_local import PlainNonLocal
from .report import environment, format_report

__all__ = [
    'AuthorsStylePipeline', 'CPU_MEMORY_METHOD', 'CUDA_MEMORY_METHOD',
    'PAPER_CONFIGS', 'PlainGLENet', 'PlainNonLocal', 'REPO_ROOT',
    'activate_non_local', 'bench_attention', 'bench_data', 'bench_eval',
    'bench_model', 'bench_variants', 'build_plugin_model', 'count_flops',
    'environment', 'format_report', 'load_config', 'load_plugin_weights',
    'measure_peaks', 'num_params', 'prepare_fashion_data',
    'skimage_like_resize', 'synthetic_predictions'
]
