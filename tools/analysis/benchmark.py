#!/usr/bin/env python
"""Benchmark the GLE plugin: model, non-local attention, data pipeline, NE.

Parts (``--parts``, comma-separated; all by default):

``model``
    Forward and forward+backward images/s and peak memory of the paper
    models (k=2 and k=3 GLE modules, 224x224), built from the paper configs
    with mmengine ``Config.fromfile`` + mmpose ``MODELS.build``, timed in the
    same loop as a plain-PyTorch implementation of the same network
    (:class:`PlainGLENet`, torch.nn only, same parameter count), alternating
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
import copy
import json
import math
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import OrderedDict
from contextlib import nullcontext

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PAPER_CONFIGS = {
    2: 'configs/gle/td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py',
    3: 'configs/gle/td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py',
}
DEMO_DATA = 'demo/data/fashion_demo'
MB = 2.0**20

# GPU-side assumption for "does one data worker keep up?" (data part). Dense
# bf16 tensor-core peaks from the vendors' data sheets; the utilisation is an
# assumption (a conv net trained with AMP typically reaches 30-50 %).
ASSUMED_GPUS = OrderedDict([
    ('A100-SXM bf16', 312e12),
    ('H100-SXM bf16', 989e12),
])
ASSUMED_UTILISATION = 0.35

# --------------------------------------------------------------------------
# Plain-PyTorch GLE network (torch.nn only; no mmengine / mmcv / mmpose)
# --------------------------------------------------------------------------
# VGG-16 stages kept by the GLE paper: conv1_1 ... conv4_3 (+ ReLU), with a
# max-pool after the first three stages (stride 8).
VGG16_CONV4 = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512))
# the authors' decoder (paper, section 2)
DECODER_STEM = ((64, 1), (64, 3), (64, 3), (128, 3))  # (out channels, kernel)
DECODER_STAGES = (
    (64, 2), (32, 2), (16, 1))  # (channels, 3x3 convs after ConvT)


class PlainNonLocal(nn.Module):
    """Embedded-Gaussian non-local block: ``x + BN(W(softmax(theta^T phi) g))``
    without 1/sqrt(d) scaling (the GLE authors' choice)."""

    def __init__(self, channels=512, inter_channels=256, attention='sdpa'):
        super().__init__()
        if attention not in ('sdpa', 'explicit'):
            raise ValueError(
                f'attention must be sdpa or explicit, got {attention!r}')
        self.attention = attention
        self.theta = nn.Conv2d(channels, inter_channels, 1)
        self.phi = nn.Conv2d(channels, inter_channels, 1)
        self.g = nn.Conv2d(channels, inter_channels, 1)
        self.out_conv = nn.Conv2d(inter_channels, channels, 1, bias=False)
        self.out_bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        n, _, h, w = x.shape
        # (N, 1, HW, C') with unit-stride last axis: what fused attention
        # kernels accept (otherwise sdpa falls back to its math path)
        q = self.theta(x).flatten(2).transpose(1, 2).contiguous().unsqueeze(1)
        k = self.phi(x).flatten(2).transpose(1, 2).contiguous().unsqueeze(1)
        v = self.g(x).flatten(2).transpose(1, 2).contiguous().unsqueeze(1)
        if self.attention == 'sdpa':
            y = F.scaled_dot_product_attention(q, k, v, scale=1.0)
        else:
            y = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
        y = y.squeeze(1).transpose(1, 2).reshape(n, -1, h, w)
        return x + self.out_bn(self.out_conv(y))


class PlainGLEModule(nn.Module):
    """Non-local block, then two 3x3 conv-BN-ReLU on its output."""

    def __init__(self, channels=512, inter_channels=256, attention='sdpa'):
        super().__init__()
        self.non_local = PlainNonLocal(channels, inter_channels, attention)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        x = self.non_local(x)
        x = F.relu(self.bn1(self.conv1(x)), inplace=True)
        return F.relu(self.bn2(self.conv2(x)), inplace=True)


class PlainGLENet(nn.Module):
    """The GLE network in plain PyTorch: VGG-16 to conv4_3 (torchvision's
    ``features`` layout) -> ``num_modules`` GLE modules -> the full-resolution
    decoder (no BN, ReLU after every layer but the last)."""

    def __init__(self, num_modules=2, num_keypoints=8, attention='sdpa'):
        super().__init__()
        layers, cin = [], 3
        for i, stage in enumerate(VGG16_CONV4):
            for cout in stage:
                layers += [
                    nn.Conv2d(cin, cout, 3, padding=1),
                    nn.ReLU(inplace=True)
                ]
                cin = cout
            if i < len(VGG16_CONV4) - 1:
                layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        self.gle = nn.Sequential(
            *[PlainGLEModule(cin, 256, attention) for _ in range(num_modules)])
        layers = []
        for cout, k in DECODER_STEM:
            layers += [
                nn.Conv2d(cin, cout, k, padding=k // 2),
                nn.ReLU(inplace=True)
            ]
            cin = cout
        for cout, num_convs in DECODER_STAGES:
            layers += [
                nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1),
                nn.ReLU(inplace=True)
            ]
            for _ in range(num_convs):
                layers += [
                    nn.Conv2d(cout, cout, 3, padding=1),
                    nn.ReLU(inplace=True)
                ]
            cin = cout
        layers.append(nn.Conv2d(cin, num_keypoints, 1))
        self.decoder = nn.Sequential(*layers)

    def forward(self, x):
        return self.decoder(self.gle(self.features(x)))


def _conv_indices(seq):
    return [
        i for i, m in enumerate(seq)
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))
    ]


def plugin_to_plain_keys(num_modules):
    """Explicit map from the plugin's state-dict keys (mmpose
    TopdownPoseEstimator with VGGConv4 / GLENeck / FullResHeatmapHead) to
    :class:`PlainGLENet` keys."""
    plain = PlainGLENet(num_modules).to('meta')
    key_map = OrderedDict()
    # backbone: mmpose VGG numbers conv modules and pools (features.<i>.conv)
    mm_idx = 0
    tv_convs = iter(_conv_indices(plain.features))
    for i, stage in enumerate(VGG16_CONV4):
        for _ in stage:
            tv = next(tv_convs)
            for leaf in ('weight', 'bias'):
                mm_key = f'backbone.features.{mm_idx}.conv.{leaf}'
                key_map[mm_key] = f'features.{tv}.{leaf}'
            mm_idx += 1
        mm_idx += 1  # max-pool
    bn_leaves = ('weight', 'bias', 'running_mean', 'running_var',
                 'num_batches_tracked')
    for j in range(num_modules):
        src, dst = f'neck.gle_modules.{j}', f'gle.{j}'
        for name in ('theta', 'phi', 'g'):
            for leaf in ('weight', 'bias'):
                key_map[f'{src}.non_local.{name}.conv.{leaf}'] = \
                    f'{dst}.non_local.{name}.{leaf}'
        key_map[f'{src}.non_local.conv_out.conv.weight'] = \
            f'{dst}.non_local.out_conv.weight'
        for leaf in bn_leaves:
            key_map[f'{src}.non_local.conv_out.bn.{leaf}'] = \
                f'{dst}.non_local.out_bn.{leaf}'
        for c in (1, 2):
            key_map[f'{src}.conv{c}.conv.weight'] = f'{dst}.conv{c}.weight'
            for leaf in bn_leaves:
                key_map[f'{src}.conv{c}.bn.{leaf}'] = f'{dst}.bn{c}.{leaf}'
    # head: stem_layers.<i>, upsample_layers.<stage>.<layer>, final_layer
    head_keys = [
        f'head.stem_layers.{i}.conv' for i in range(len(DECODER_STEM))
    ]
    for s, (_, num_convs) in enumerate(DECODER_STAGES):
        head_keys += [
            f'head.upsample_layers.{s}.{i}.conv' for i in range(num_convs + 1)
        ]
    head_keys.append('head.final_layer')
    dec_convs = _conv_indices(plain.decoder)
    assert len(dec_convs) == len(head_keys)
    for src, idx in zip(head_keys, dec_convs):
        for leaf in ('weight', 'bias'):
            key_map[f'{src}.{leaf}'] = f'decoder.{idx}.{leaf}'
    return key_map


def load_plugin_weights(plain, plugin):
    """Copy the plugin model's parameters and buffers into ``plain`` through
    :func:`plugin_to_plain_keys`; every key on both sides must be used."""
    src = plugin.state_dict()
    key_map = plugin_to_plain_keys(len(plain.gle))
    unmapped = sorted(set(src) - set(key_map))
    missing_src = sorted(set(key_map) - set(src))
    target_keys = set(plain.state_dict())
    uncovered = sorted(target_keys - set(key_map.values()))
    if unmapped or missing_src or uncovered:
        raise KeyError(
            f'state dicts do not correspond: plugin keys without a plain '
            f'counterpart {unmapped[:5]}, mapped keys absent from the plugin '
            f'{missing_src[:5]}, plain keys never filled {uncovered[:5]}')
    plain.load_state_dict(
        OrderedDict((key_map[k], v) for k, v in src.items()), strict=True)
    return plain


def num_params(module):
    return sum(p.numel() for p in module.parameters())


# --------------------------------------------------------------------------
# Plugin model (mmengine Config + mmpose registry)
# --------------------------------------------------------------------------
def _import_gle():
    try:
        import gle  # noqa: F401
    except ImportError:  # running from a checkout without `pip install -e .`
        sys.path.insert(0, osp.join(REPO_ROOT, 'projects'))
        import gle  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    return gle


def load_config(k, config=None):
    """The paper config for ``k`` GLE modules (``config`` overrides the path).
    Returns ``(Config, path)``."""
    _import_gle()
    from mmengine.config import Config
    path = config or osp.join(REPO_ROOT, PAPER_CONFIGS[k])
    cfg = Config.fromfile(path)
    if cfg.model.neck.num_modules != k:
        raise ValueError(
            f'{path} has neck.num_modules={cfg.model.neck.num_modules}, '
            f'expected {k}')
    return cfg, path


def build_plugin_model(cfg):
    """Build ``cfg.model`` through mmpose's registry (no weight loading: the
    benchmark uses the construction-time initialisation)."""
    _import_gle()
    from mmpose.registry import MODELS
    return MODELS.build(copy.deepcopy(cfg.model))


def activate_non_local(model):
    """Set the non-local output BN weights to 1 (they start at 0, which makes
    each block an identity and output comparisons blind to the attention)."""
    for m in model.modules():
        if type(m).__name__ in ('SDPANonLocal2d', 'PlainNonLocal'):
            bn = m.out_bn if hasattr(m, 'out_bn') else m.conv_out.bn
            nn.init.ones_(bn.weight)
    return model


# --------------------------------------------------------------------------
# Measurement helpers
# --------------------------------------------------------------------------
def _sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn, device):
    _sync(device)
    t0 = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - t0


def interleaved_times(fns, iters, warmup, device):
    """Time several callables in one loop, alternating their order (ABC, CBA,
    ...) so that slow drifts of the machine hit all of them alike."""
    names = list(fns)
    times = {n: [] for n in names}
    for i in range(warmup + iters):
        for n in (names if i % 2 == 0 else names[::-1]):
            t = timed(fns[n], device)
            if i >= warmup:
                times[n].append(t)
    return times


def summarize(times, batch):
    med = statistics.median(times)
    return dict(
        median_s=med,
        min_s=min(times),
        iters=len(times),
        images_per_s=batch / med)


def tensor_bytes(*objs):
    total = 0
    for obj in objs:
        if isinstance(obj, nn.Module):
            total += sum(t.numel() * t.element_size()
                         for t in list(obj.parameters()) + list(obj.buffers()))
        elif torch.is_tensor(obj):
            total += obj.numel() * obj.element_size()
    return total


def _cpu_step_peak_bytes(fn):
    """Peak of tensor memory allocated by PyTorch's CPU allocator during
    ``fn`` above what was allocated before it, from the allocation (op self
    memory) and free ([memory]) events of torch.profiler. Library-internal
    scratch (e.g. oneDNN) that bypasses the allocator is not seen."""
    from torch.profiler import ProfilerActivity, profile
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with profile(
                activities=[ProfilerActivity.CPU],
                profile_memory=True) as prof:
            fn()
    events = []
    for e in prof.events():
        delta = (
            e.cpu_memory_usage
            if e.name == '[memory]' else e.self_cpu_memory_usage)
        if delta:
            events.append((e.time_range.start, delta))
    events.sort(key=lambda x: x[0])
    cur = peak = 0
    for _, delta in events:
        cur += delta
        peak = max(peak, cur)
    return peak


CPU_MEMORY_METHOD = (
    'resident tensors (weights, buffers, inputs) + peak of tensor memory '
    'allocated during one step (torch.profiler profile_memory events; '
    'allocator-bypassing library scratch not included)')
CUDA_MEMORY_METHOD = ('torch.cuda.max_memory_allocated over one step '
                      '(after reset)')


def peak_memory(fn, device, resident=()):
    """Peak memory of one call of ``fn``: ``peak_mb`` (all live tensors) and
    ``step_peak_mb`` (above what was allocated before the call). Gradients
    of the ``resident`` modules are dropped first, so that a training step
    counts the gradients it creates, as the first step of a run does."""
    for obj in resident:
        if isinstance(obj, nn.Module):
            obj.zero_grad(set_to_none=True)
    if device.type == 'cuda':
        _sync(device)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        fn()
        _sync(device)
        peak = torch.cuda.max_memory_allocated(device)
        return dict(peak_mb=peak / MB, step_peak_mb=(peak - base) / MB)
    step = _cpu_step_peak_bytes(fn)
    return dict(
        peak_mb=(tensor_bytes(*resident) + step) / MB, step_peak_mb=step / MB)


def matmul_peak(device, dtype, n, reps):
    """Achieved FLOP/s of an n x n x n torch.matmul: the roofline for
    compute-bound layers on this device at this dtype."""
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    for _ in range(2):
        a @ b
    times = [timed(lambda: a @ b, device) for _ in range(reps)]
    return 2.0 * n**3 / statistics.median(times)


def count_flops(num_modules, size, attention='explicit'):
    """FLOPs per image (forward, forward+backward) of the network at
    ``size`` x ``size``, with torch.utils.flop_counter on the meta device
    (nothing is computed). The explicit attention is counted (the counter
    does not see every fused attention kernel); both compute the same
    products. Also the forward GMAC per part (backbone, GLE, decoder)."""
    from torch.utils.flop_counter import FlopCounterMode
    net = PlainGLENet(num_modules, attention=attention).to('meta')
    x = torch.randn(1, 3, size, size, device='meta')
    with FlopCounterMode(display=False) as fc, torch.no_grad():
        net(x)
    fwd = fc.get_total_flops()
    counts = fc.get_flop_counts()
    parts = {
        p: sum(counts.get(f'PlainGLENet.{p}', {}).values()) / 2e9
        for p in ('features', 'gle', 'decoder')
    }
    with FlopCounterMode(display=False) as fc:
        net(x).sum().backward()
    return dict(
        fwd_flops=fwd,
        fwd_bwd_flops=fc.get_total_flops(),
        fwd_gmac_backbone=parts['features'],
        fwd_gmac_gle=parts['gle'],
        fwd_gmac_decoder=parts['decoder'],
        fwd_gmac_total=fwd / 2e9)


# --------------------------------------------------------------------------
# Part 1: model
# --------------------------------------------------------------------------
def _loss_data_samples(target, weight):
    from mmengine.structures import InstanceData, PixelData
    from mmpose.structures import PoseDataSample
    samples = []
    for i in range(target.shape[0]):
        s = PoseDataSample()
        s.gt_fields = PixelData(heatmaps=target[i])
        s.gt_instance_labels = InstanceData(keypoint_weights=weight[i:i + 1])
        samples.append(s)
    return samples


def _make_steps(plugin, plain, x, target, weight):
    """Callables for forward (eval, no_grad) and forward+backward (train)."""
    loss_fn = plugin.head.loss_module  # the configured KeypointMSELoss

    def fwd(model, call):

        def step():
            model.eval()
            with torch.no_grad():
                call()

        return step

    def plugin_bwd():
        plugin.train()
        plugin.zero_grad(set_to_none=True)
        loss_fn(plugin(x, None, mode='tensor'), target, weight).backward()

    def plain_bwd():
        plain.train()
        plain.zero_grad(set_to_none=True)
        out = plain(x)
        # same reduction as KeypointMSELoss(use_target_weight=True)
        w = weight[:, :, None, None]
        F.mse_loss(out * w, target * w).backward()

    samples = _loss_data_samples(target, weight)

    def plugin_loss_path():
        # the real training step minus data loading/optimizer: loss(), which
        # also computes mmpose's PCK accuracy (compute_acc), then backward
        plugin.train()
        plugin.zero_grad(set_to_none=True)
        loss, _ = plugin.parse_losses(plugin.loss(x, samples))
        loss.backward()

    fwd_steps = OrderedDict(
        plugin=fwd(plugin, lambda: plugin(x, None, mode='tensor')),
        plain=fwd(plain, lambda: plain(x)))
    bwd_steps = OrderedDict(
        plugin=plugin_bwd, plain=plain_bwd, plugin_loss_path=plugin_loss_path)
    return fwd_steps, bwd_steps


def bench_model(args, device, peaks, log):
    out = OrderedDict()
    size, batch = args.input_size, args.batch_size
    for k in args.ks:
        cfg, cfg_path = load_config(k, args.configs.get(k))
        torch.manual_seed(0)
        plugin = build_plugin_model(cfg).to(device)
        impl = cfg.model.neck.get('attention_impl', 'sdpa')
        plain = PlainGLENet(k, attention=impl).to(device)
        n_plugin, n_plain = num_params(plugin), num_params(plain)
        assert n_plugin == n_plain, \
            f'parameter counts differ: {n_plugin} vs {n_plain}'
        load_plugin_weights(plain, plugin)
        gen = torch.Generator(device='cpu').manual_seed(1)
        x = torch.randn(batch, 3, size, size, generator=gen).to(device)
        target = torch.rand(batch, 8, size, size, generator=gen).to(device)
        weight = torch.ones(batch, 8, device=device)
        fwd_steps, bwd_steps = _make_steps(plugin, plain, x, target, weight)
        # same weights, eval mode: the two must compute the same function
        plugin.eval(), plain.eval()
        with torch.no_grad():
            agree = (plugin(x, None, mode='tensor') -
                     plain(x)).abs().max().item()
        log(f'  k={k}: timing forward ({args.warmup}+{args.iters} iters, '
            f'batch {batch}) ...')
        t_fwd = interleaved_times(fwd_steps, args.iters, args.warmup, device)
        log(f'  k={k}: timing forward+backward ...')
        t_bwd = interleaved_times(bwd_steps, args.iters, args.warmup, device)
        flops = count_flops(k, size)
        res = OrderedDict(
            config=osp.relpath(cfg_path, REPO_ROOT),
            attention_impl=impl,
            params=n_plugin,
            max_abs_diff_plugin_vs_plain=agree,
            flops=flops)
        for mode, times, steps in (('fwd', t_fwd, fwd_steps),
                                   ('fwd_bwd', t_bwd, bwd_steps)):
            per_img = flops['fwd_flops' if mode == 'fwd' else 'fwd_bwd_flops']
            for name, ts in times.items():
                r = summarize(ts, batch)
                r['gflops_per_s'] = per_img * r['images_per_s'] / 1e9
                r['fraction_of_matmul_peak'] = (
                    per_img * r['images_per_s'] / peaks[peaks['reference']])
                r.update(
                    peak_memory(
                        steps[name],
                        device,
                        resident=(plugin if name.startswith('plugin') else
                                  plain, x, target)))
                res[f'{name}_{mode}'] = r
            res[f'ratio_{mode}'] = (
                res[f'plugin_{mode}']['images_per_s'] /
                res[f'plain_{mode}']['images_per_s'])
            # best-of-n: on a shared machine the fastest iteration is the one
            # least disturbed by other work
            res[f'ratio_{mode}_min'] = (
                res[f'plain_{mode}']['min_s'] / res[f'plugin_{mode}']['min_s'])
        res['meets_0.95x'] = bool(
            min(res['ratio_fwd'], res['ratio_fwd_bwd']) >= 0.95)
        out[f'k{k}'] = res
        del plugin, plain, fwd_steps, bwd_steps
    return out


# channels_last / autocast variants of the plugin model
def variant_specs(device):
    if device.type == 'cuda':
        dtypes = [None, torch.float16, torch.bfloat16]
    else:
        dtypes = [None, torch.bfloat16]
    specs = OrderedDict()
    for cl in (False, True):
        for dt in dtypes:
            name = '+'.join([
                s for s in ('channels_last' if cl else '',
                            f'amp_{str(dt).split(".")[-1]}' if dt else '') if s
            ]) or 'fp32'
            specs[name] = (cl, dt)
    return specs


def bench_variants(args, device, peaks, log):
    if device.type != 'cuda' and not args.cpu_variants:
        return OrderedDict(
            skipped='channels_last / AMP variants run on CUDA only (on CPU: '
            'pass --cpu-variants for channels_last and bf16 autocast as an '
            'informative extra)')
    ks = args.ks if device.type == 'cuda' else args.ks[:1]
    size, batch = args.input_size, args.batch_size
    out = OrderedDict()
    for k in ks:
        cfg, _ = load_config(k, args.configs.get(k))
        torch.manual_seed(0)
        base = activate_non_local(build_plugin_model(cfg)).to(device)
        gen = torch.Generator(device='cpu').manual_seed(2)
        x = torch.randn(batch, 3, size, size, generator=gen).to(device)
        target = torch.rand(batch, 8, size, size, generator=gen).to(device)
        weight = torch.ones(batch, 8, device=device)
        models, inputs, fwd, bwd = {}, {}, OrderedDict(), OrderedDict()
        for name, (cl, dt) in variant_specs(device).items():
            fmt = torch.channels_last if cl else torch.contiguous_format
            m = copy.deepcopy(base).to(memory_format=fmt)
            xi = x.contiguous(memory_format=fmt)
            models[name], inputs[name] = m, xi

            def ctx(dt=dt):
                return torch.autocast(
                    device.type, dtype=dt) if dt else nullcontext()

            def f(m=m, xi=xi, ctx=ctx):
                m.eval()
                with torch.no_grad(), ctx():
                    return m(xi, None, mode='tensor')

            def b(m=m, xi=xi, ctx=ctx):
                m.train()
                m.zero_grad(set_to_none=True)
                with ctx():
                    loss = m.head.loss_module(
                        m(xi, None, mode='tensor'), target, weight)
                loss.backward()

            fwd[name], bwd[name] = f, b
        # agreement first, while every copy still has the same BN statistics
        ref = fwd['fp32']().float()
        diffs = {}
        for name in fwd:
            diff = (fwd[name]().float() - ref).abs().max().item()
            diffs[name] = (diff, diff / max(ref.abs().max().item(), 1e-12))
        log(f'  k={k}: timing {len(fwd)} variants, forward ...')
        t_fwd = interleaved_times(fwd, args.iters, args.warmup, device)
        log(f'  k={k}: timing {len(fwd)} variants, forward+backward ...')
        t_bwd = interleaved_times(bwd, args.iters, args.warmup, device)
        res = OrderedDict()
        for name, (cl, dt) in variant_specs(device).items():
            r = OrderedDict(
                channels_last=cl, autocast_dtype=str(dt) if dt else None)
            r['fwd'] = summarize(t_fwd[name], batch)
            r['fwd_bwd'] = summarize(t_bwd[name], batch)
            r['fwd_bwd'].update(
                peak_memory(
                    bwd[name], device, resident=(models[name], x, target)))
            for mode, times in (('fwd', t_fwd), ('fwd_bwd', t_bwd)):
                r[f'speedup_{mode}'] = (
                    statistics.median(times['fp32']) /
                    statistics.median(times[name]))
            r['max_abs_diff_vs_fp32'], r['rel_diff_vs_fp32'] = diffs[name]
            res[name] = r
        best = max(res, key=lambda n: res[n]['speedup_fwd_bwd'])
        res['best_fwd_bwd'] = best
        out[f'k{k}'] = res
        del models, inputs, fwd, bwd, base
    return out


# --------------------------------------------------------------------------
# Part 2: non-local attention, explicit vs scaled_dot_product_attention
# --------------------------------------------------------------------------
def sdpa_kernels(fn):
    """Names of the attention kernels ``fn`` runs (which fused kernel, or the
    unfused math path, scaled_dot_product_attention picked)."""
    from torch.profiler import ProfilerActivity, profile
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            fn()
    return sorted({
        e.name.replace('aten::', '')
        for e in prof.events()
        if e.name.startswith('aten::_scaled_dot_product')
        or e.name.startswith('aten::_efficient_attention')
        or e.name.startswith('aten::_flash_attention')
    })


def bench_attention(args, device, log):
    _import_gle()
    import inspect

    from gle.models.layers import SDPANonLocal2d
    from gle.models.necks import GLENeck
    default_impl = inspect.signature(
        GLENeck.__init__).parameters['attention_impl'].default
    cfg, _ = load_config(args.ks[0], args.configs.get(args.ks[0]))
    out = OrderedDict(
        neck_default=default_impl,
        config_default=cfg.model.neck.get('attention_impl', default_impl))
    batch = args.batch_size
    for size in args.sizes:
        f = size // 8
        torch.manual_seed(0)
        blocks = OrderedDict()
        blocks['sdpa'] = SDPANonLocal2d(
            512,
            reduction=2,
            use_scale=False,
            norm_cfg=dict(type='BN'),
            mode='embedded_gaussian',
            attention_impl='sdpa')
        nn.init.ones_(blocks['sdpa'].conv_out.bn.weight)
        blocks['explicit'] = copy.deepcopy(blocks['sdpa'])
        blocks['explicit'].attention_impl = 'explicit'
        for b in blocks.values():
            b.to(device)
        gen = torch.Generator(device='cpu').manual_seed(3)
        x = torch.randn(batch, 512, f, f, generator=gen).relu_().to(device)

        def fwd(b):

            def step():
                b.eval()
                with torch.no_grad():
                    return b(x)

            return step

        def bwd(b):

            def step():
                b.train()
                b.zero_grad(set_to_none=True)
                b(x).square().mean().backward()

            return step

        fwd_steps = OrderedDict((n, fwd(b)) for n, b in blocks.items())
        bwd_steps = OrderedDict((n, bwd(b)) for n, b in blocks.items())
        log(f'  {size}x{size} input -> {f}x{f} features ...')
        t_fwd = interleaved_times(fwd_steps, args.iters, args.warmup, device)
        t_bwd = interleaved_times(bwd_steps, args.iters, args.warmup, device)
        y_s, y_e = fwd_steps['sdpa'](), fwd_steps['explicit']()
        res = OrderedDict(feature_map=f'{f}x{f}', tokens=f * f)
        for n in blocks:
            r = OrderedDict(
                fwd=summarize(t_fwd[n], batch),
                fwd_bwd=summarize(t_bwd[n], batch))
            r['fwd'].update(
                peak_memory(fwd_steps[n], device, resident=(blocks[n], x)))
            r['fwd_bwd'].update(
                peak_memory(bwd_steps[n], device, resident=(blocks[n], x)))
            res[n] = r
        res['sdpa_kernel'] = sorted(
            set(
                sdpa_kernels(fwd_steps['sdpa']) +
                sdpa_kernels(bwd_steps['sdpa'])))
        res['max_abs_diff'] = (y_s - y_e).abs().max().item()
        res['max_abs_attention_term'] = (y_e - x).abs().max().item()
        for mode in ('fwd', 'fwd_bwd'):
            res[f'sdpa_speedup_{mode}'] = (
                res['explicit'][mode]['median_s'] /
                res['sdpa'][mode]['median_s'])
        res['faster'] = 'sdpa' if res[
            'sdpa_speedup_fwd_bwd'] >= 1 else 'explicit'
        out[f'{size}'] = res
    out['default_is_faster_everywhere'] = all(
        out[f'{s}']['faster'] == out['config_default'] for s in args.sizes)
    return out


# --------------------------------------------------------------------------
# Part 3: data pipeline
# --------------------------------------------------------------------------
def _read_list(path):
    """Rows (token lists) of a DeepFashion list file, and its column header."""
    with open(path) as f:
        lines = f.read().splitlines()
    return [ln.split() for ln in lines[2:] if ln.strip()], lines[1]


def prepare_fashion_data(dst, num, longer_side=300):
    """Write the first ``num`` training items of the bundled demo data
    (DeepFashion-C raw format) to ``dst``, images upscaled to ``longer_side``
    px as in DeepFashion-C and boxes / landmarks scaled with them (rounded to
    integers, as annotated there). Returns the DeepFashionCDataset over it."""
    import cv2
    from mmpose.registry import DATASETS

    from gle.datasets.raw_annotation import write_table
    src = osp.join(REPO_ROOT, DEMO_DATA)
    part, part_hdr = _read_list(
        osp.join(src, 'Eval', 'list_eval_partition.txt'))
    names = [r[0] for r in part if r[1] == 'train'][:num]
    keep = set(names)
    bbox, bbox_hdr = _read_list(osp.join(src, 'Anno', 'list_bbox.txt'))
    lms, lms_hdr = _read_list(osp.join(src, 'Anno', 'list_landmarks.txt'))
    scale = {}
    for name in names:
        img = cv2.imread(osp.join(src, name))
        h, w = img.shape[:2]
        s = longer_side / max(h, w)
        scale[name] = s
        img = cv2.resize(
            img, (round(w * s), round(h * s)), interpolation=cv2.INTER_CUBIC)
        os.makedirs(osp.dirname(osp.join(dst, name)), exist_ok=True)
        cv2.imwrite(osp.join(dst, name), img, [cv2.IMWRITE_JPEG_QUALITY, 90])

    def scaled(v, s):
        return str(int(round(float(v) * s)))

    bbox = [[r[0]] + [scaled(v, scale[r[0]]) for v in r[1:]] for r in bbox
            if r[0] in keep]
    new_lms = []
    for r in (r for r in lms if r[0] in keep):
        row = r[:2]
        for j in range(2, len(r), 3):  # visibility x y
            row += [
                r[j],
                scaled(r[j + 1], scale[r[0]]),
                scaled(r[j + 2], scale[r[0]])
            ]
        new_lms.append(row)
    write_table(osp.join(dst, 'Anno', 'list_bbox.txt'), bbox_hdr, bbox)
    write_table(osp.join(dst, 'Anno', 'list_landmarks.txt'), lms_hdr, new_lms)
    write_table(
        osp.join(dst, 'Eval', 'list_eval_partition.txt'), part_hdr,
        [[n, 'train'] for n in names])
    return DATASETS.build(
        dict(
            type='DeepFashionCDataset',
            data_root=dst,
            split='train',
            data_mode='topdown',
            pipeline=[]))


def skimage_like_resize(img, out_hw):
    """``skimage.transform.resize(img, out_hw)`` with its defaults (order=1,
    mode='reflect', anti_aliasing when downscaling) on a float image:
    Gaussian pre-filter with sigma = (factor - 1) / 2 per downscaled axis,
    then bilinear ``scipy.ndimage.zoom`` with grid_mode=True, then clip."""
    from scipy import ndimage as ndi
    factors = np.array(
        [img.shape[0] / out_hw[0], img.shape[1] / out_hw[1], 1.0])
    sigma = np.maximum(0, (factors - 1) / 2)
    if np.any(sigma > 0):
        img = ndi.gaussian_filter(img, sigma, mode='mirror')
    zoom = (out_hw[0] / img.shape[0], out_hw[1] / img.shape[1], 1.0)
    out = ndi.zoom(img, zoom, order=1, mode='mirror', grid_mode=True)
    return np.clip(out, img.min(), img.max())


class AuthorsStylePipeline:
    """The GLE authors' per-sample preprocessing (their public code), in the
    style of their code: PIL load, crop the ground-truth box, skimage-style
    float resize to 224x224 (aspect ratio not kept), ImageNet normalisation to
    a tensor, and per landmark an exp(-d/16) heatmap over the full 224x224 grid
    (d = Euclidean pixel distance, np.meshgrid, Python loop), zero for
    landmarks outside the crop."""

    mean = np.array([0.485, 0.456, 0.406])
    std = np.array([0.229, 0.224, 0.225])

    def __init__(self, size=224, tau=16.0):
        self.size, self.tau = size, tau

    def __call__(self, info):
        """``info``: a data info of the dataset (image path, box, landmarks
        in the original image). Returns image, heatmaps, landmarks, visible."""
        from PIL import Image
        img = Image.open(info['img_path']).convert('RGB')
        x1, y1, x2, y2 = (float(v) for v in info['bbox'][0])
        crop = np.asarray(
            img.crop((int(x1), int(y1), int(x2), int(y2))), dtype=np.float64)
        crop = skimage_like_resize(crop / 255.0, (self.size, self.size))
        image = torch.from_numpy(
            ((crop - self.mean) / self.std).transpose(2, 0, 1)).float()
        sx, sy = self.size / (x2 - x1), self.size / (y2 - y1)
        lm = (info['keypoints'][0] - np.array([x1, y1])) * np.array([sx, sy])
        xs, ys = np.meshgrid(np.arange(self.size), np.arange(self.size))
        heatmaps = np.zeros((len(lm), self.size, self.size), np.float32)
        for k, (x, y) in enumerate(lm):
            if 0 <= x < self.size and 0 <= y < self.size:
                d = np.sqrt((xs - x)**2 + (ys - y)**2)
                heatmaps[k] = np.exp(-d / self.tau)
        return (image, torch.from_numpy(heatmaps),
                torch.from_numpy(lm.astype(np.float32)),
                torch.from_numpy(info['keypoints_visible'][0].copy()))


def bench_data(args, flops_224, log, model_results=None, variant_results=None):
    import cv2
    from mmcv.transforms import Compose
    cfg, cfg_path = load_config(args.ks[0], args.configs.get(args.ks[0]))
    pipeline = Compose(copy.deepcopy(cfg.train_pipeline))
    authors = AuthorsStylePipeline()
    cv2_threads, torch_threads = cv2.getNumThreads(), torch.get_num_threads()
    # a DataLoader worker runs single-threaded (mmengine sets cv2 threads to 0,
    # torch uses 1 thread per worker)
    cv2.setNumThreads(0)
    torch.set_num_threads(1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            dataset = prepare_fashion_data(tmp, args.data_images)
            num_images = len(dataset)
            times = {'ours': 0.0, 'authors': 0.0}

            def run(i, record):
                j = i % num_images
                # what a worker does per sample: dataset[j] =
                # pipeline(get_data_info(j))
                t0 = time.perf_counter()
                packed = pipeline(dataset.get_data_info(j))
                t1 = time.perf_counter()
                authors(dataset.get_data_info(j))
                t2 = time.perf_counter()
                if record:
                    times['ours'] += t1 - t0
                    times['authors'] += t2 - t1
                return packed

            log(f'  warm-up pass over {num_images} images ...')
            for i in range(num_images):
                packed = run(i, False)
            log(f'  {args.data_samples} samples, alternating the two '
                'pipelines ...')
            for i in range(args.data_samples):
                run(i, True)
    finally:
        cv2.setNumThreads(cv2_threads)
        torch.set_num_threads(torch_threads)
    n = args.data_samples
    res = OrderedDict(
        config=osp.relpath(cfg_path, REPO_ROOT),
        dataset='DeepFashionCDataset',
        images=num_images,
        samples=n,
        image_size='300 px longer side (demo images upscaled)',
        pipeline=[t['type'] for t in cfg.train_pipeline],
        output_shape=dict(
            inputs=list(packed['inputs'].shape),
            heatmaps=list(packed['data_samples'].gt_fields.heatmaps.shape)),
        threads='1 (cv2 and torch), as in a DataLoader worker')
    res['ours_samples_per_s'] = n / times['ours']
    res['authors_samples_per_s'] = n / times['authors']
    res['speedup'] = res['ours_samples_per_s'] / res['authors_samples_per_s']
    res['meets_3x'] = bool(res['speedup'] >= 3)
    # does one worker keep up with a GPU?
    need = OrderedDict()
    per_img = flops_224['fwd_bwd_flops']
    for gpu, peak in ASSUMED_GPUS.items():
        ips = peak * ASSUMED_UTILISATION / per_img
        need[f'{gpu} (estimate)'] = OrderedDict(
            train_images_per_s=ips,
            workers_ours=math.ceil(ips / res['ours_samples_per_s']),
            workers_authors=math.ceil(ips / res['authors_samples_per_s']))
    # a measured GPU number replaces the estimate only at the paper's input
    # size
    measured = None
    if args.device.startswith('cuda') and args.input_size == 224:
        measured = _measured_train_ips(model_results, variant_results)
    if measured:
        name, ips = measured
        need[f'this device, measured ({name})'] = OrderedDict(
            train_images_per_s=ips,
            workers_ours=math.ceil(ips / res['ours_samples_per_s']),
            workers_authors=math.ceil(ips / res['authors_samples_per_s']))
    res['gpu_assumption'] = (
        f'k={args.ks[0]} 224x224 fwd+bwd = {per_img / 1e9:.0f} GFLOP/image; '
        'training '
        f'images/s estimated as dense bf16 peak x {ASSUMED_UTILISATION:.0%} '
        'utilisation / FLOPs (an estimate, not a measurement); workers = '
        'ceil(images/s / samples/s of one worker measured here, on this CPU)')
    res['workers_needed'] = need
    res['one_worker_keeps_up'] = OrderedDict(
        (gpu, bool(v['workers_ours'] <= 1)) for gpu, v in need.items())
    return res


def _measured_train_ips(model_results, variant_results):
    """Best measured plugin fwd+bwd images/s on a CUDA device, if any."""
    best = None
    for key, res in (variant_results or {}).items():
        if isinstance(res, dict) and 'best_fwd_bwd' in res:
            name = res['best_fwd_bwd']
            ips = res[name]['fwd_bwd']['images_per_s']
            if best is None or ips > best[1]:
                best = (f'{key} {name}', ips)
    if best is None:
        for key, res in (model_results or {}).items():
            if isinstance(res, dict) and 'plugin_fwd_bwd' in res:
                ips = res['plugin_fwd_bwd']['images_per_s']
                if best is None or ips > best[1]:
                    best = (f'{key} fp32', ips)
    return best


# --------------------------------------------------------------------------
# Part 4: normalized error
# --------------------------------------------------------------------------
def synthetic_predictions(n, seed=0, k=8):
    rng = np.random.default_rng(seed)
    xy1 = rng.uniform(0, 60, (n, 2))
    wh = rng.uniform(100, 240, (n, 2))
    bboxes = np.concatenate([xy1, xy1 + wh], 1).astype(np.float32)
    gt = (xy1[:, None] +
          rng.uniform(0, 1, (n, k, 2)) * wh[:, None]).astype(np.float32)
    pred = (gt + rng.normal(0, 0.04,
                            (n, k, 2)) * wh[:, None]).astype(np.float32)
    visible = rng.random((n, k)) < 0.75
    clothes = rng.integers(1, 4, n)
    return pred, gt, visible, bboxes, clothes


def bench_eval(args, log):
    gle = _import_gle()
    metric_cls = getattr(gle.evaluation, 'NormalizedError', None)
    fn = getattr(gle.evaluation, 'keypoint_normalized_error', None)
    if metric_cls is None:
        return OrderedDict(
            skipped='gle.evaluation.NormalizedError is not in this checkout')
    n, batch = args.eval_samples, 50
    pred, gt, visible, bboxes, clothes = synthetic_predictions(n)
    data_samples = [
        dict(
            gt_instances=dict(
                keypoints=gt[i:i + 1],
                keypoints_visible=visible[i:i + 1].astype(np.float32),
                bboxes=bboxes[i:i + 1]),
            pred_instances=dict(keypoints=pred[i:i + 1]),
            clothes_type=int(clothes[i]),
            variation_type=0) for i in range(n)
    ]
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')  # the metric logs a table per evaluate()
    try:
        metric = metric_cls()
        log(f'  NormalizedError.process over {n} samples (batches of {batch}) '
            '...')
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            metric.process(None, data_samples[i:i + batch])
        t1 = time.perf_counter()
        metrics = metric.evaluate(n)
        t2 = time.perf_counter()
    finally:
        logger.setLevel(level)
    res = OrderedDict(
        samples=n,
        landmarks=gt.shape[1],
        visible_fraction=float(visible.mean()),
        metric_process_s=t1 - t0,
        metric_evaluate_s=t2 - t1,
        metric_total_s=t2 - t0,
        NE=float(metrics['NE']))
    if fn is not None:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            ne = fn(pred, gt, visible, bboxes)
            times.append(time.perf_counter() - t0)
        res['function'] = 'gle.evaluation.keypoint_normalized_error'
        res['function_s'] = statistics.median(times)
        res['function_NE'] = float(np.nanmean(ne))
        res['max_abs_diff_NE'] = abs(res['function_NE'] - res['NE'])
    return res


# --------------------------------------------------------------------------
# Environment, report, CLI
# --------------------------------------------------------------------------
def environment(device):
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


def measure_peaks(args, device):
    n = 256 if args.tiny else (8192 if device.type == 'cuda' else 2048)
    reps = 3 if args.tiny else 10
    peaks = OrderedDict()
    if device.type == 'cuda':
        # cuDNN runs fp32 convolutions in TF32 by default (allow_tf32), matmul
        # does not: measure both, and rate the fp32 model against the one its
        # convolutions use
        prev = torch.backends.cuda.matmul.allow_tf32
        try:
            torch.backends.cuda.matmul.allow_tf32 = False
            peaks['fp32'] = matmul_peak(device, torch.float32, n, reps)
            torch.backends.cuda.matmul.allow_tf32 = True
            peaks['tf32'] = matmul_peak(device, torch.float32, n, reps)
        finally:
            torch.backends.cuda.matmul.allow_tf32 = prev
        peaks['fp16'] = matmul_peak(device, torch.float16, n, reps)
        peaks['bf16'] = matmul_peak(device, torch.bfloat16, n, reps)
        tf32 = torch.backends.cudnn.allow_tf32
        peaks['reference'] = 'tf32' if tf32 else 'fp32'
    else:
        peaks['fp32'] = matmul_peak(device, torch.float32, n, reps)
        if args.cpu_variants:
            peaks['bf16'] = matmul_peak(device, torch.bfloat16, n, reps)
        peaks['reference'] = 'fp32'
    peaks['matmul_n'] = n
    return peaks


def _f(v, fmt='.1f'):
    return '-' if v is None else format(v, fmt)


def _table(headers, rows):
    from gle.utils import format_table
    return format_table([headers] + list(rows), header_rule=True)


def format_report(res):
    out = []
    env = res['env']
    out.append(
        f"device: {env['device']} ({env.get('gpu') or env.get('cpu_model')}), "
        "torch "
        f"{env['torch']}, {env['torch_threads']} threads, batch "
        f"{res['args']['batch_size']}, input {res['args']['input_size']}, "
        f"{res['args']['iters']} iters after {res['args']['warmup']} warm-up")
    peaks = res.get('matmul_peak', {})
    out.append('matmul peak (n=%d): ' % peaks.get('matmul_n', 0) + ', '.join(
        f'{k} {v / 1e9:.0f} GFLOP/s'
        for k, v in peaks.items() if k not in ('matmul_n', 'reference')) +
               f" (model '% peak' is against {peaks.get('reference')})")
    if 'model' in res:
        out.append(
            '\n[1] model: plugin (mmpose, paper config) vs plain PyTorch, '
            'same weights')
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
                        _f(r[f'ratio_{mode}'], '.3f')
                        if name == 'plugin' else '',
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
    if 'variants' in res:
        out.append(
            '\n[1b] channels_last / autocast variants of the plugin model')
        v = res['variants']
        if 'skipped' in v:
            out.append('skipped: ' + v['skipped'])
        else:
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
    if 'attention' in res:
        a = res['attention']
        out.append(
            '\n[2] non-local attention: explicit softmax(theta^T phi) g vs '
            'F.scaled_dot_product_attention (one SDPANonLocal2d block)')
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
                    _f(r['sdpa_speedup_fwd_bwd'], '.2f')
                    if impl == 'sdpa' else ''
                ])
        out.append(
            _table([
                'input', 'impl', 'fwd ms', 'fwd+bwd ms', 'fwd step MB',
                'f+b step MB', 'max|diff|', 'sdpa x'
            ], rows))
        out.append('sdpa kernels (fwd + bwd): ' +
                   '; '.join(f"{key}: {', '.join(r['sdpa_kernel'])}"
                             for key, r in a.items() if isinstance(r, dict)))
        out.append(
            f"default attention_impl: neck {a['neck_default']!r}, config "
            f"{a['config_default']!r}; faster at every size: "
            f"{a['default_is_faster_everywhere']}")
    if 'data' in res:
        d = res['data']
        out.append('\n[3] data pipeline, one worker (1 thread)')
        if 'skipped' in d:
            out.append('skipped: ' + d['skipped'])
        else:
            out.append(
                _table(['pipeline', 'samples/s'],
                       [[
                           'ours: ' + ' -> '.join(d['pipeline']),
                           _f(d['ours_samples_per_s'])
                       ],
                        [
                            "authors' style (PIL, skimage-like resize, "
                            'exp(-d/16) loop)',
                            _f(d['authors_samples_per_s'])
                        ]]))
            out.append(
                f"speed-up {d['speedup']:.2f}x over {d['samples']} samples "
                f"({d['images']} images, {d['image_size']})")
            rows = [[
                g,
                _f(v['train_images_per_s'], '.0f'), v['workers_ours'],
                v['workers_authors']
            ] for g, v in d['workers_needed'].items()]
            out.append(
                _table([
                    'GPU', 'train img/s', 'workers (ours)',
                    "workers (authors')"
                ], rows))
            out.append(d['gpu_assumption'])
    if 'eval' in res:
        e = res['eval']
        out.append('\n[4] normalized error')
        if 'skipped' in e:
            out.append('skipped: ' + e['skipped'])
        else:
            out.append(
                f"NormalizedError over {e['samples']:,} samples: process "
                f"{e['metric_process_s']:.3f} s + evaluate "
                f"{e['metric_evaluate_s']:.3f}"
                f" s = {e['metric_total_s']:.3f} s (NE {e['NE']:.5f})")
            if 'function_s' in e:
                out.append(f"{e['function']}: {e['function_s'] * 1e3:.1f} ms "
                           f"(NE {e['function_NE']:.5f}, |diff| "
                           f"{e['max_abs_diff_NE']:.1e})")
    return '\n'.join(out)


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


def main(argv=None):
    args = parse_args(argv)
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    if device.type == 'cuda':
        torch.backends.cudnn.benchmark = not args.no_cudnn_benchmark

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    _import_gle()
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

    def save(results):
        if args.out:
            os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
            with open(args.out, 'w') as f:
                json.dump(results, f, indent=1, default=_json_default)

    res['matmul_peak'] = run_part('matmul peak', measure_peaks, args, device)
    flops_224 = count_flops(args.ks[0], 224)
    res['flops_224'] = flops_224
    if 'model' in args.parts:
        res['model'] = run_part('model', bench_model, args, device,
                                res['matmul_peak'], log)
        res['variants'] = run_part('variants', bench_variants, args, device,
                                   res['matmul_peak'], log)
    if 'attention' in args.parts:
        res['attention'] = run_part('attention', bench_attention, args, device,
                                    log)
    if 'data' in args.parts:
        res['data'] = run_part('data', bench_data, args, flops_224, log,
                               res.get('model'), res.get('variants'))
    if 'eval' in args.parts:
        res['eval'] = run_part('eval', bench_eval, args, log)
    res['total_s'] = time.perf_counter() - t_start
    report = format_report(res)
    print(report)
    save(res)
    if args.out:
        log(f'results written to {args.out}')
    return res


def _json_default(obj):
    if isinstance(obj, (np.generic, )):
        return obj.item()
    if isinstance(obj, (torch.dtype, torch.device)):
        return str(obj)
    raise TypeError(f'{type(obj)} is not JSON serialisable')


if __name__ == '__main__':
    main()
