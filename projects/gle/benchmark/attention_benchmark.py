"""Benchmark part ``attention``: one non-local block, explicit
``softmax(theta^T phi) g`` against ``F.scaled_dot_product_attention``."""
import copy
import inspect
from collections import OrderedDict

import torch
from torch import nn

from .measure import interleaved_times, peak_memory, sdpa_kernels, summarize
from .paper_models import load_config


def _steps(blocks, x):
    """Forward (eval, no_grad) and forward+backward callables per block."""

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

    return (OrderedDict((n, fwd(b)) for n, b in blocks.items()),
            OrderedDict((n, bwd(b)) for n, b in blocks.items()))


def bench_attention(args, device, log) -> OrderedDict:
    """Time one ``SDPANonLocal2d`` block (512 channels, C'=256, no scaling,
    output BN weight 1) with both attention implementations at the stride-8
    feature maps of ``args.sizes``.

    Args:
        args (argparse.Namespace): ``sizes``, ``batch_size``, ``iters``,
            ``warmup``, ``ks`` and ``configs`` of the tool.
        device (torch.device): Where to run.
        log (Callable[[str], None]): Progress messages.

    Returns:
        OrderedDict: The neck's and the config's default implementation, and
        per input size: time and memory of each implementation, the sdpa
        kernels run, max abs difference, the faster implementation.
    """
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
        fwd_steps, bwd_steps = _steps(blocks, x)
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
