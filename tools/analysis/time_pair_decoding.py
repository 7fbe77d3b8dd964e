#!/usr/bin/env python
"""Time the pair-aware decoding (``PairAwareHeatmap``) against a batch's
inference.

For every 8-landmark config (default: the demo model at 96x96 and the
DeepFashion-C paper model, k=2, at 224x224; random weights unless
``--checkpoint``):

- ``test_step``: one batch through ``model.test_step`` (data preprocessor,
  flip test as configured, decoding, keypoints back to the image frame),
  with ``pair_aware`` off and on;
- ``decode``: the head's ``decode`` alone on that batch's heatmaps (what the
  model really outputs), off and on;
- ``decode worst case``: ``decode`` on synthetic heatmaps where every pair
  of every item has collapsed onto one of two peaks, so that every pair is
  split and re-decoded (the script checks that all of them come out apart).

The overhead is ``(decode on - decode off) / test_step off``, per batch.
Medians of ``--iters`` runs after ``--warmup``; all six timings (test_step,
decode, worst-case decode; off and on) alternate in one loop, so that the
load of a shared machine weighs on them alike. Example (docs/benchmark.md
has the numbers)::

    PYTHONPATH=projects python tools/analysis/time_pair_decoding.py \
        --threads 1 --iters 10 --out docs/benchmark/pair_decoding_cpu.json
"""
import argparse
import json
import logging
import os.path as osp
import platform
import statistics
import sys
import time

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmengine.structures import InstanceData
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.structures import PoseDataSample

import gle  # noqa: F401  (registration)
from gle.utils import safe_checkpoint_loading

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIGS = [
    'configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py',
    'configs/gle/td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py',
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--configs', nargs='+', default=DEFAULT_CONFIGS, help='pose configs')
    parser.add_argument(
        '--batch-sizes',
        type=int,
        nargs='+',
        default=[16, 2],
        help='batch size per config (the demo config tests in batches of '
        '16; the paper model at 2, as in docs/benchmark.md on CPU)')
    parser.add_argument(
        '--checkpoint',
        help='weights for the first config (e.g. a trained demo model); '
        'random weights otherwise')
    parser.add_argument('--iters', type=int, default=10, help='timed runs')
    parser.add_argument(
        '--decode-reps',
        type=int,
        default=5,
        help='decode calls per timed run (their mean is one sample)')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument(
        '--device',
        default='cpu',
        help='where the models run (decoding is numpy on the host anyway)')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', help='write the results as JSON')
    args = parser.parse_args(argv)
    if len(args.batch_sizes) != len(args.configs):
        parser.error(f'--batch-sizes needs one value per config '
                     f'({len(args.configs)}), got {args.batch_sizes}')
    return args


def _batch(cfg, batch_size: int, rng: np.random.RandomState) -> dict:
    """A test batch as the dataloader gives it: uint8 crops + metainfo."""
    w, h = cfg.codec['input_size']
    flip = [1, 0, 3, 2, 5, 4, 7, 6]
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append(
            torch.from_numpy(rng.randint(0, 256, (3, h, w), dtype=np.uint8)))
        sample = PoseDataSample(
            metainfo=dict(
                flip_indices=flip,
                input_size=(w, h),
                input_center=np.array([w / 2, h / 2], dtype=np.float32),
                input_scale=np.array([w, h], dtype=np.float32)))
        sample.gt_instances = InstanceData(
            bboxes=np.array([[0, 0, w, h]], dtype=np.float32),
            bbox_scores=np.ones(1, dtype=np.float32))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def worst_case_heatmaps(codec_cfg: dict, batch_size: int) -> torch.Tensor:
    """(B, 8, H, W) heatmaps in which both channels of every pair peak on
    the same one of two peaks (every pair needs splitting)."""
    codec = KEYPOINT_CODECS.build(codec_cfg)
    w, h = codec_cfg['input_size']

    def peak(x, y):
        return codec.encode(np.array([[[x, y]]],
                                     dtype=np.float32))['heatmaps'][0]

    channels = []
    for p in range(4):
        y = h * (0.2 + 0.2 * p)
        a, b = peak(0.25 * w, y), peak(0.75 * w, y)
        channels += [np.maximum(a, 0.9 * b), np.maximum(0.95 * a, 0.9 * b)]
    one = torch.from_numpy(np.stack(channels))
    return one[None].repeat(batch_size, 1, 1, 1).contiguous()


def _alternate(fns: dict, iters: int, warmup: int) -> dict:
    """Median seconds of each function, run alternately."""
    times = {name: [] for name in fns}
    for i in range(warmup + iters):
        for name, fn in (fns.items() if i % 2 else reversed(fns.items())):
            start = time.perf_counter()
            fn()
            if i >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def time_config(path: str, batch_size: int, checkpoint, args) -> dict:
    cfg = Config.fromfile(osp.join(REPO_ROOT, path))
    init_default_scope('mmpose')
    if cfg.model.head.decoder.type != 'PairAwareHeatmap':  # a stock config
        cfg.model.head.decoder = dict(
            type='PairAwareHeatmap', codec=cfg.model.head.decoder)
    if not checkpoint:  # random weights: no ImageNet file needed
        cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    if checkpoint:
        with safe_checkpoint_loading():
            load_checkpoint(model, checkpoint, map_location='cpu')
    else:
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)  # no per-parameter init report
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    model.to(args.device).eval()
    head = model.head
    rng = np.random.RandomState(args.seed)
    data = _batch(cfg, batch_size, rng)
    with torch.no_grad():
        heatmaps = model(
            model.data_preprocessor(data)['inputs'], None, mode='tensor')
    worst = worst_case_heatmaps(cfg.model.head.decoder.codec,
                                batch_size).to(args.device)

    def switched(fn, on):

        def run():
            head.decoder.pair_aware = on
            with torch.no_grad():
                return fn()

        return run

    result = dict(config=path, batch_size=batch_size, checkpoint=checkpoint)
    reps = args.decode_reps

    def repeated(fn):

        def run():
            for _ in range(reps):
                fn()

        return run

    # one loop for everything, so that the load of a shared machine weighs
    # on all of them alike; each decode timing covers `reps` calls
    t = _alternate(
        {
            'step_off': switched(lambda: model.test_step(data), False),
            'step_on': switched(lambda: model.test_step(data), True),
            'dec_off': switched(
                repeated(lambda: head.decode(heatmaps)), False),
            'dec_on': switched(repeated(lambda: head.decode(heatmaps)), True),
            'worst_off': switched(repeated(lambda: head.decode(worst)), False),
            'worst_on': switched(repeated(lambda: head.decode(worst)), True),
        }, args.iters, args.warmup)
    step = dict(off=t['step_off'], on=t['step_on'])
    dec = dict(off=t['dec_off'] / reps, on=t['dec_on'] / reps)
    worst_t = dict(off=t['worst_off'] / reps, on=t['worst_on'] / reps)
    head.decoder.pair_aware = True
    preds = head.decode(worst)
    split = sum(
        int(
            np.linalg.norm(p.keypoints[0, 2 * k] -
                           p.keypoints[0, 2 * k + 1]) > 1) for p in preds
        for k in range(4))
    result.update(
        test_step_off_s=step['off'],
        test_step_on_s=step['on'],
        decode_off_s=dec['off'],
        decode_on_s=dec['on'],
        worst_decode_off_s=worst_t['off'],
        worst_decode_on_s=worst_t['on'],
        worst_pairs_split=split,
        worst_pairs=4 * batch_size,
        overhead=(dec['on'] - dec['off']) / step['off'],
        worst_overhead=(worst_t['on'] - worst_t['off']) / step['off'])
    return result


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    results = []
    for i, (path, bs) in enumerate(zip(args.configs, args.batch_sizes)):
        print(f'timing {path} (batch {bs})', file=sys.stderr, flush=True)
        results.append(
            time_config(path, bs, args.checkpoint if i == 0 else None, args))

    ms = 1e3
    lines = [
        '| config | batch | test_step off / on (ms) | decode off / on (ms) '
        '| overhead | worst-case decode off / on (ms) | worst-case overhead '
        '| worst-case pairs split |', '|' + '---|' * 8
    ]
    for r in results:
        lines.append(
            f'| {osp.basename(r["config"])} | {r["batch_size"]} '
            f'| {r["test_step_off_s"] * ms:.1f} / '
            f'{r["test_step_on_s"] * ms:.1f} '
            f'| {r["decode_off_s"] * ms:.2f} / {r["decode_on_s"] * ms:.2f} '
            f'| {100 * r["overhead"]:.2f}% '
            f'| {r["worst_decode_off_s"] * ms:.2f} / '
            f'{r["worst_decode_on_s"] * ms:.2f} '
            f'| {100 * r["worst_overhead"]:.2f}% '
            f'| {r["worst_pairs_split"]}/{r["worst_pairs"]} |')
    print('\n'.join(lines))
    if args.out:
        env = dict(
            python=platform.python_version(),
            torch=torch.__version__,
            numpy=np.__version__,
            processor=platform.processor() or platform.machine(),
            device=args.device,
            threads=args.threads,
            iters=args.iters,
            decode_reps=args.decode_reps,
            warmup=args.warmup)
        with open(args.out, 'w') as f:
            json.dump(dict(env=env, results=results), f, indent=1)
    return results


if __name__ == '__main__':
    main()
