"""Timing, memory and FLOP measurements shared by the benchmark parts."""
import statistics
import time
import warnings
from collections import OrderedDict
from typing import Callable, Dict, List, Sequence

import torch
from torch import nn

from .plain_gle_net import PlainGLENet

MB = 2.0**20

CPU_MEMORY_METHOD = (
    'resident tensors (weights, buffers, inputs) + peak of tensor memory '
    'allocated during one step (torch.profiler profile_memory events; '
    'allocator-bypassing library scratch not included)')
CUDA_MEMORY_METHOD = ('torch.cuda.max_memory_allocated over one step '
                      '(after reset)')


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn: Callable, device: torch.device) -> float:
    """Seconds one call of ``fn`` takes (device synchronised around it)."""
    _sync(device)
    t0 = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - t0


def interleaved_times(fns: Dict[str, Callable], iters: int, warmup: int,
                      device: torch.device) -> Dict[str, List[float]]:
    """Time several callables in one loop, alternating their order (ABC, CBA,
    ...) so that slow drifts of the machine hit all of them alike.

    Args:
        fns (dict[str, Callable]): The callables, by name.
        iters (int): Timed iterations.
        warmup (int): Untimed iterations before them.
        device (torch.device): Synchronised around every call.

    Returns:
        dict[str, list[float]]: ``iters`` times in seconds per name.
    """
    names = list(fns)
    times = {n: [] for n in names}
    for i in range(warmup + iters):
        for n in (names if i % 2 == 0 else names[::-1]):
            t = timed(fns[n], device)
            if i >= warmup:
                times[n].append(t)
    return times


def summarize(times: Sequence[float], batch: int) -> dict:
    """Median, minimum, count and images/s of one callable's times."""
    med = statistics.median(times)
    return dict(
        median_s=med,
        min_s=min(times),
        iters=len(times),
        images_per_s=batch / med)


def tensor_bytes(*objs) -> int:
    """Bytes of the given tensors and of the given modules' parameters and
    buffers."""
    total = 0
    for obj in objs:
        if isinstance(obj, nn.Module):
            total += sum(t.numel() * t.element_size()
                         for t in list(obj.parameters()) + list(obj.buffers()))
        elif torch.is_tensor(obj):
            total += obj.numel() * obj.element_size()
    return total


def _cpu_step_peak_bytes(fn: Callable) -> int:
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


def peak_memory(fn: Callable, device: torch.device, resident=()) -> dict:
    """Peak memory of one call of ``fn``.

    Gradients of the ``resident`` modules are dropped first, so that a
    training step counts the gradients it creates, as the first step of a run
    does.

    Args:
        fn (Callable): One step.
        device (torch.device): CUDA: ``max_memory_allocated``; CPU: profiler
            allocation events (:data:`CPU_MEMORY_METHOD`).
        resident (Sequence): Modules and tensors alive during the step.

    Returns:
        dict: ``peak_mb`` (all live tensors) and ``step_peak_mb`` (above what
        was allocated before the call), MB = 2**20 bytes.
    """
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


def matmul_peak(device: torch.device, dtype: torch.dtype, n: int,
                reps: int) -> float:
    """Achieved FLOP/s of an n x n x n torch.matmul: the roofline for
    compute-bound layers on this device at this dtype."""
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    for _ in range(2):
        a @ b
    times = [timed(lambda: a @ b, device) for _ in range(reps)]
    return 2.0 * n**3 / statistics.median(times)


def measure_peaks(device: torch.device, tiny: bool,
                  cpu_variants: bool) -> OrderedDict:
    """Matmul FLOP/s per dtype on ``device`` and the one the fp32 model is
    rated against (``'reference'``)."""
    n = 256 if tiny else (8192 if device.type == 'cuda' else 2048)
    reps = 3 if tiny else 10
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
        if cpu_variants:
            peaks['bf16'] = matmul_peak(device, torch.bfloat16, n, reps)
        peaks['reference'] = 'fp32'
    peaks['matmul_n'] = n
    return peaks


def count_flops(num_modules: int, size: int, attention='explicit') -> dict:
    """FLOPs per image of the GLE network at ``size`` x ``size``.

    Counted with torch.utils.flop_counter on the meta device (nothing is
    computed). The explicit attention is counted (the counter does not see
    every fused attention kernel); both compute the same products.

    Args:
        num_modules (int): Number of GLE modules k.
        size (int): Input side, a multiple of 8.
        attention (str): Attention implementation counted.

    Returns:
        dict: ``fwd_flops``, ``fwd_bwd_flops`` and the forward GMAC per part
        (``fwd_gmac_backbone``, ``fwd_gmac_gle``, ``fwd_gmac_decoder``,
        ``fwd_gmac_total``).
    """
    from torch.utils.flop_counter import FlopCounterMode
    net = PlainGLENet(num_modules, attention=attention).to('meta')
    x = torch.randn(1, 3, size, size, device='meta')
    with FlopCounterMode(display=False) as fc, torch.no_grad():
        net(x)
    fwd = fc.get_total_flops()
    counts = fc.get_flop_counts()
    parts = {
        p: sum(counts.get(f'PlainGLENet.{p}', {}).values()) / 2e9
        for p in ('backbone', 'neck', 'head')
    }
    with FlopCounterMode(display=False) as fc:
        net(x).sum().backward()
    return dict(
        fwd_flops=fwd,
        fwd_bwd_flops=fc.get_total_flops(),
        fwd_gmac_backbone=parts['backbone'],
        fwd_gmac_gle=parts['neck'],
        fwd_gmac_decoder=parts['head'],
        fwd_gmac_total=fwd / 2e9)


def sdpa_kernels(fn: Callable) -> List[str]:
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
