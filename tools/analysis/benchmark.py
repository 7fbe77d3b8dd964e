#!/usr/bin/env python
"""Benchmark the GLE plugin: model, non-local attention, data pipeline, NE.

Parts (``--parts``, comma-separated; all by default):

``model``
    Forward and forward+backward images/s and peak memory of the paper
    models (k=2 and k=3 GLE modules, 224x224), built from the paper configs
    with mmengine ``Config.fromfile`` + mmpose ``MODELS.build``, timed in the
    same loop as a plain-PyTorch implementation of the same network
    (:class:`gle.benchmark.PlainGLENet`, torch.nn only, same parameter
    count), alternating
    the two every iteration so that machine drift cancels. Also the FLOP
    count, the achieved GFLOP/s against a measured matmul peak, and (on CUDA,
    or on CPU with ``--cpu-variants``) channels_last / autocast variants with
    their output agreement to fp32.
``attention``
    The non-local block with the explicit ``softmax(theta^T phi) g`` against
    ``F.scaled_dot_product_attention`` at the feature maps of 224, 384 and
    512 inputs (28x28, 48x48, 64x64): time, memory, max abs difference.
``data``
    Samples/s of one data worker for the paper config's training pipeline
    (mmcv ``Compose``) against a re-implementation of the authors'
    PIL/skimage-style pipeline, on the bundled demo images upscaled to the
    DeepFashion-C size (300 px longer side); how many workers a GPU needs.
``eval``
    Normalized error over 40,000 synthetic predictions through
    ``gle.evaluation.NormalizedError`` (process + evaluate) and through its
    pure function.

The measurements live in :mod:`gle.benchmark` (one module per part, and the
plain-PyTorch reference network); this tool parses the command line, runs
the parts and writes the results.

Examples (docs/benchmark.md has the numbers)::

    # CPU, as in docs/benchmark.md
    PYTHONPATH=projects python tools/analysis/benchmark.py --device cpu \
        --threads 1 --cpu-variants --iters 6 --warmup 1 --out results_cpu.json
    # GPU: batch 50, every part, a few minutes
    bash tools/analysis/benchmark_gpu.sh

``--tiny`` runs everything on tiny sizes in seconds (used by the tests).
Timings are medians over ``--iters`` iterations after ``--warmup``; the
table goes to stdout, progress to stderr, everything to ``--out`` (JSON).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from mmpose.utils import register_all_modules

from gle.benchmark import (CPU_MEMORY_METHOD, CUDA_MEMORY_METHOD,
                           bench_attention, bench_data, bench_eval,
                           bench_model, bench_variants, count_flops,
                           environment, format_report, measure_peaks)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        '--device', default='auto', help='cpu, cuda, cuda:N or auto (default)')
    p.add_argument(
        '--parts',
        default='model,attention,data,eval',
        help='comma-separated subset of model,attention,data,eval')
    p.add_argument(
        '--batch-size',
        type=int,
        help='default: 50 on CUDA (the paper), 2 on CPU')
    p.add_argument(
        '--iters', type=int, help='timed iterations (default: 20 CUDA, 3 CPU)')
    p.add_argument(
        '--warmup',
        type=int,
        help='untimed iterations (default: 5 CUDA, 1 CPU)')
    p.add_argument(
        '--input-size', type=int, default=224, help='model input (square)')
    p.add_argument(
        '--sizes',
        default='224,384,512',
        help='input sizes whose stride-8 feature maps the attention part uses')
    p.add_argument(
        '--ks', default='2,3', help='numbers of GLE modules (paper configs)')
    p.add_argument(
        '--config-k2',
        help='config for k=2 (default: the DeepFashion-C paper config)')
    p.add_argument(
        '--config-k3', help='config for k=3 (default: the FLD paper config)')
    p.add_argument(
        '--data-samples', type=int, default=200, help='samples per pipeline')
    p.add_argument(
        '--data-images',
        type=int,
        default=100,
        help='distinct demo images used')
    p.add_argument('--eval-samples', type=int, default=40000)
    p.add_argument(
        '--cpu-variants',
        action='store_true',
        help='on CPU, also run channels_last and bf16 autocast (k of --ks[0])')
    p.add_argument(
        '--no-cudnn-benchmark',
        action='store_true',
        help='leave torch.backends.cudnn.benchmark off')
    p.add_argument(
        '--threads',
        type=int,
        help='torch.set_num_threads for the model parts')
    p.add_argument(
        '--tiny',
        action='store_true',
        help='tiny sizes (64x64 input, 1 iter, few samples): a smoke test')
    p.add_argument('--out', help='write the results as JSON here')
    args = p.parse_args(argv)
    if args.device == 'auto':
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    cuda = args.device.startswith('cuda')
    if args.tiny:
        args.input_size = 64
        args.sizes = '64,128'
        args.data_samples, args.data_images = 2, 2
        args.eval_samples = 400
        defaults = dict(batch_size=1, iters=1, warmup=0)
    else:
        defaults = dict(
            batch_size=50 if cuda else 2,
            iters=20 if cuda else 3,
            warmup=5 if cuda else 1)
    for key, val in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, val)
    args.parts = [s.strip() for s in args.parts.split(',') if s.strip()]
    bad = set(args.parts) - {'model', 'attention', 'data', 'eval'}
    if bad:
        p.error(f'unknown parts: {sorted(bad)}')
    args.sizes = [int(s) for s in str(args.sizes).split(',')]
    args.ks = [int(s) for s in str(args.ks).split(',')]
    if any(s % 8 for s in args.sizes + [args.input_size]):
        p.error('sizes must be multiples of 8')
    args.configs = {
        k: v
        for k, v in ((2, args.config_k2), (3, args.config_k3)) if v
    }
    return args


def _json_default(obj):
    if isinstance(obj, (np.generic, )):
        return obj.item()
    if isinstance(obj, (torch.dtype, torch.device)):
        return str(obj)
    raise TypeError(f'{type(obj)} is not JSON serialisable')


def main(argv=None):
    args = parse_args(argv)
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    if device.type == 'cuda':
        torch.backends.cudnn.benchmark = not args.no_cudnn_benchmark

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    def save(results):
        if args.out:
            os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
            with open(args.out, 'w') as f:
                json.dump(results, f, indent=1, default=_json_default)

    register_all_modules(init_default_scope=True)
    res = OrderedDict()
    res['env'] = environment(device)
    res['args'] = OrderedDict(
        (k, v) for k, v in vars(args).items() if k != 'configs')
    res['memory_method'] = (
        CUDA_MEMORY_METHOD if device.type == 'cuda' else CPU_MEMORY_METHOD)
    t_start = time.perf_counter()
    res['part_seconds'] = OrderedDict()

    def run_part(name, fn, *fn_args):
        log(f'{name} ...')
        t0 = time.perf_counter()
        out = fn(*fn_args)
        res['part_seconds'][name] = time.perf_counter() - t0
        res[name.replace(' ', '_')] = out
        # after every part: an interrupted run keeps what it measured
        save(res)
        return out

    run_part('matmul peak', measure_peaks, device, args.tiny,
             args.cpu_variants)
    flops_224 = count_flops(args.ks[0], 224)
    res['flops_224'] = flops_224
    if 'model' in args.parts:
        run_part('model', bench_model, args, device, res['matmul_peak'], log)
        run_part('variants', bench_variants, args, device, res['matmul_peak'],
                 log)
    if 'attention' in args.parts:
        run_part('attention', bench_attention, args, device, log)
    if 'data' in args.parts:
        run_part('data', bench_data, args, flops_224, log, res.get('model'),
                 res.get('variants'))
    if 'eval' in args.parts:
        run_part('eval', bench_eval, args, log)
    res['total_s'] = time.perf_counter() - t_start
    print(format_report(res))
    save(res)
    if args.out:
        log(f'results written to {args.out}')
    return res


if __name__ == '__main__':
    main()
