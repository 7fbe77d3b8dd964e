"""Benchmark part ``model``: the plugin against the plain-PyTorch network,
and the channels_last / autocast variants of the plugin."""
import copy
import os.path as osp
import statistics
from collections import OrderedDict
from contextlib import nullcontext

import torch
import torch.nn.functional as F

from .measure import count_flops, interleaved_times, peak_memory, summarize
from .paper_models import (REPO_ROOT, activate_non_local, build_plugin_model,
                           load_config)
from .plain_gle_net import PlainGLENet, load_plugin_weights, num_params


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


def _batch(batch, size, device, seed):
    """Random input (N, 3, size, size), target heatmaps (N, 8, size, size)
    and keypoint weights (N, 8), the same for every run with ``seed``."""
    gen = torch.Generator(device='cpu').manual_seed(seed)
    x = torch.randn(batch, 3, size, size, generator=gen).to(device)
    target = torch.rand(batch, 8, size, size, generator=gen).to(device)
    weight = torch.ones(batch, 8, device=device)
    return x, target, weight


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


def bench_model(args, device, peaks, log) -> OrderedDict:
    """Time the plugin and :class:`PlainGLENet` (same weights) in one loop.

    Args:
        args (argparse.Namespace): ``ks``, ``configs``, ``input_size``,
            ``batch_size``, ``iters``, ``warmup`` of the tool.
        device (torch.device): Where to run.
        peaks (dict): :func:`measure_peaks` output (for "% of peak").
        log (Callable[[str], None]): Progress messages.

    Returns:
        OrderedDict: Per ``k<k>``: parameters, FLOPs, output agreement, and
        per ``<impl>_<fwd|fwd_bwd>`` speed and memory, the plugin/plain
        ratios.
    """
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
        x, target, weight = _batch(batch, size, device, seed=1)
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


def variant_specs(device) -> OrderedDict:
    """``name -> (channels_last, autocast dtype or None)`` of the variants
    measured on ``device`` (fp16 autocast on CUDA only)."""
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


def _variant_steps(base, spec, x, target, weight, device):
    """A copy of ``base`` in the variant's memory format, and its forward and
    forward+backward callables."""
    cl, dt = spec
    fmt = torch.channels_last if cl else torch.contiguous_format
    m = copy.deepcopy(base).to(memory_format=fmt)
    xi = x.contiguous(memory_format=fmt)

    def ctx():
        return torch.autocast(device.type, dtype=dt) if dt else nullcontext()

    def fwd():
        m.eval()
        with torch.no_grad(), ctx():
            return m(xi, None, mode='tensor')

    def bwd():
        m.train()
        m.zero_grad(set_to_none=True)
        with ctx():
            loss = m.head.loss_module(
                m(xi, None, mode='tensor'), target, weight)
        loss.backward()

    return m, fwd, bwd


def bench_variants(args, device, peaks, log) -> OrderedDict:
    """Speed, memory and fp32 agreement of the channels_last / autocast
    variants of the plugin model (CUDA; on CPU with ``--cpu-variants``).

    Args:
        args (argparse.Namespace): As for :func:`bench_model`, plus
            ``cpu_variants``.
        device (torch.device): Where to run.
        peaks (dict): Unused; same signature as :func:`bench_model`.
        log (Callable[[str], None]): Progress messages.

    Returns:
        OrderedDict: Per ``k<k>`` and variant name: speed-ups over fp32,
        memory, max abs / relative difference to fp32; ``best_fwd_bwd``. Or
        ``skipped`` with the reason.
    """
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
        x, target, weight = _batch(batch, size, device, seed=2)
        models, fwd, bwd = {}, OrderedDict(), OrderedDict()
        for name, spec in variant_specs(device).items():
            models[name], fwd[name], bwd[name] = _variant_steps(
                base, spec, x, target, weight, device)
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
        del models, fwd, bwd, base
    return out
