"""The benchmark's environment record and its text report."""
import os
import platform
import subprocess
from collections import OrderedDict
from typing import List

import torch

from gle.utils import format_table


def environment(device: torch.device) -> OrderedDict:
    """Versions, CPU model, threads and (on CUDA) GPU and cuDNN settings."""
    env = OrderedDict(
        python=platform.python_version(),
        torch=torch.__version__,
        torch_threads=torch.get_num_threads(),
        cpu_count=os.cpu_count(),
        platform=platform.platform(),
        device=str(device))
    try:
        out = subprocess.run(['lscpu'],
                             capture_output=True,
                             text=True,
                             timeout=10).stdout
        for line in out.splitlines():
            if line.startswith('Model name:'):
                env['cpu_model'] = line.split(':', 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        env['cpu_model'] = platform.processor()
    for mod in ('mmengine', 'mmcv', 'mmpose'):
        try:
            env[mod] = __import__(mod).__version__
        except ImportError:
            env[mod] = None
    if device.type == 'cuda':
        env['gpu'] = torch.cuda.get_device_name(device)
        env['cuda'] = torch.version.cuda
        env['cudnn'] = torch.backends.cudnn.version()
        env['cudnn_benchmark'] = torch.backends.cudnn.benchmark
        env['allow_tf32_matmul'] = torch.backends.cuda.matmul.allow_tf32
        env['allow_tf32_cudnn'] = torch.backends.cudnn.allow_tf32
    return env


def _f(v, fmt='.1f'):
    return '-' if v is None else format(v, fmt)


def _table(headers, rows):
    return format_table([headers] + list(rows), header_rule=True)


def _model_lines(res) -> List[str]:
    out = [
        '\n[1] model: plugin (mmpose, paper config) vs plain PyTorch, '
        'same weights'
    ]
    rows = []
    for k, r in res['model'].items():
        for mode in ('fwd', 'fwd_bwd'):
            for name in ('plugin', 'plain', 'plugin_loss_path'):
                key = f'{name}_{mode}'
                if key not in r:
                    continue
                m = r[key]
                rows.append([
                    f'{k} {mode}', name,
                    _f(m['images_per_s'], '.2f'),
                    _f(m['median_s'] * 1e3),
                    _f(m['gflops_per_s']),
                    _f(100 * m['fraction_of_matmul_peak']),
                    _f(m['peak_mb'], '.0f'),
                    _f(m['step_peak_mb'], '.0f'),
                    _f(r[f'ratio_{mode}'], '.3f') if name == 'plugin' else '',
                    _f(r[f'ratio_{mode}_min'], '.3f')
                    if name == 'plugin' else ''
                ])
    out.append(
        _table([
            'model', 'impl', 'img/s', 'ms/iter', 'GFLOP/s', '% peak',
            'peak MB', 'step MB', 'plugin/plain', '(best-of)'
        ], rows))
    for k, r in res['model'].items():
        fl = r['flops']
        out.append(f"{k}: {r['params']:,} params, forward "
                   f"{fl['fwd_gmac_total']:.2f} GMAC "
                   f"(backbone {fl['fwd_gmac_backbone']:.2f}, GLE "
                   f"{fl['fwd_gmac_gle']:.2f}, "
                   f"decoder {fl['fwd_gmac_decoder']:.2f}), fwd+bwd "
                   f"{fl['fwd_bwd_flops'] / 1e9:.1f} GFLOP/image; config "
                   f"{r['config']}")
    out.append('memory: ' + res['memory_method'])
    return out


def _variant_lines(v) -> List[str]:
    out = ['\n[1b] channels_last / autocast variants of the plugin model']
    if 'skipped' in v:
        return out + ['skipped: ' + v['skipped']]
    rows = []
    for k, r in v.items():
        for name, m in r.items():
            if not isinstance(m, dict):
                continue
            rows.append([
                k, name,
                _f(m['fwd']['images_per_s'], '.2f'),
                _f(m['speedup_fwd'], '.2f'),
                _f(m['fwd_bwd']['images_per_s'], '.2f'),
                _f(m['speedup_fwd_bwd'], '.2f'),
                _f(m['fwd_bwd']['peak_mb'],
                   '.0f'), f"{m['max_abs_diff_vs_fp32']:.2e}",
                f"{m['rel_diff_vs_fp32']:.2e}"
            ])
    out.append(
        _table([
            'model', 'variant', 'fwd img/s', 'x', 'fwd+bwd img/s', 'x',
            'peak MB', 'max|diff|', 'rel diff'
        ], rows))
    out.append('best fwd+bwd: ' + ', '.join(f"{k} {r['best_fwd_bwd']}"
                                            for k, r in v.items()))
    return out


def _attention_lines(a) -> List[str]:
    out = [
        '\n[2] non-local attention: explicit softmax(theta^T phi) g vs '
        'F.scaled_dot_product_attention (one SDPANonLocal2d block)'
    ]
    rows = []
    for key, r in a.items():
        if not isinstance(r, dict):
            continue
        for impl in ('explicit', 'sdpa'):
            m = r[impl]
            rows.append([
                f'{key} ({r["feature_map"]})', impl,
                _f(m['fwd']['median_s'] * 1e3, '.2f'),
                _f(m['fwd_bwd']['median_s'] * 1e3, '.2f'),
                _f(m['fwd']['step_peak_mb'], '.1f'),
                _f(m['fwd_bwd']['step_peak_mb'], '.1f'),
                f"{r['max_abs_diff']:.1e}" if impl == 'sdpa' else '',
                _f(r['sdpa_speedup_fwd_bwd'], '.2f') if impl == 'sdpa' else ''
            ])
    out.append(
        _table([
            'input', 'impl', 'fwd ms', 'fwd+bwd ms', 'fwd step MB',
            'f+b step MB', 'max|diff|', 'sdpa x'
        ], rows))
    out.append('sdpa kernels (fwd + bwd): ' +
               '; '.join(f"{key}: {', '.join(r['sdpa_kernel'])}"
                         for key, r in a.items() if isinstance(r, dict)))
    out.append(f"default attention_impl: neck {a['neck_default']!r}, config "
               f"{a['config_default']!r}; faster at every size: "
               f"{a['default_is_faster_everywhere']}")
    return out


def _data_lines(d) -> List[str]:
    out = ['\n[3] data pipeline, one worker (1 thread)']
    if 'skipped' in d:
        return out + ['skipped: ' + d['skipped']]
    ours = 'ours: ' + ' -> '.join(d['pipeline'])
    authors = "authors' style (PIL, skimage-like resize, exp(-d/16) loop)"
    out.append(
        _table(['pipeline', 'samples/s'],
               [[ours, _f(d['ours_samples_per_s'])],
                [authors, _f(d['authors_samples_per_s'])]]))
    out.append(f"speed-up {d['speedup']:.2f}x over {d['samples']} samples "
               f"({d['images']} images, {d['image_size']})")
    rows = [[
        g,
        _f(v['train_images_per_s'], '.0f'), v['workers_ours'],
        v['workers_authors']
    ] for g, v in d['workers_needed'].items()]
    out.append(
        _table(['GPU', 'train img/s', 'workers (ours)', "workers (authors')"],
               rows))
    out.append(d['gpu_assumption'])
    return out


def _eval_lines(e) -> List[str]:
    out = ['\n[4] normalized error']
    if 'skipped' in e:
        return out + ['skipped: ' + e['skipped']]
    out.append(f"NormalizedError over {e['samples']:,} samples: process "
               f"{e['metric_process_s']:.3f} s + evaluate "
               f"{e['metric_evaluate_s']:.3f}"
               f" s = {e['metric_total_s']:.3f} s (NE {e['NE']:.5f})")
    if 'function_s' in e:
        out.append(f"{e['function']}: {e['function_s'] * 1e3:.1f} ms "
                   f"(NE {e['function_NE']:.5f}, |diff| "
                   f"{e['max_abs_diff_NE']:.1e})")
    return out


def format_report(res: dict) -> str:
    """The text report (tables per part) of a results dict."""
    env, args = res['env'], res['args']
    peaks = res.get('matmul_peak', {})
    out = [
        f"device: {env['device']} ({env.get('gpu') or env.get('cpu_model')}), "
        f"torch {env['torch']}, {env['torch_threads']} threads, batch "
        f"{args['batch_size']}, input {args['input_size']}, "
        f"{args['iters']} iters after {args['warmup']} warm-up",
        'matmul peak (n=%d): ' % peaks.get('matmul_n', 0) + ', '.join(
            f'{k} {v / 1e9:.0f} GFLOP/s'
            for k, v in peaks.items() if k not in ('matmul_n', 'reference')) +
        f" (model '% peak' is against {peaks.get('reference')})"
    ]
    if 'model' in res:
        out += _model_lines(res)
    if 'variants' in res:
        out += _variant_lines(res['variants'])
    if 'attention' in res:
        out += _attention_lines(res['attention'])
    if 'data' in res:
        out += _data_lines(res['data'])
    if 'eval' in res:
        out += _eval_lines(res['eval'])
    return '\n'.join(out)
