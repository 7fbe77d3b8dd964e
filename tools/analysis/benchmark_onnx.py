#!/usr/bin/env python
"""Benchmark onnxruntime against PyTorch eager on the CPU, and measure how
closely the exported models agree with PyTorch.

Parts (``--parts``, comma-separated; all by default):

``speed``
    Per-image latency (ms) and throughput (images/s) of the paper model
    (k=2, 224x224) and the demo model (96x96), batch 1 and 8, 1 and 2
    threads: the network alone (``ONNXPoseModel.forward`` vs
    ``model(inputs, None, mode='tensor')`` under ``torch.inference_mode``)
    and end to end on one image (``ONNXPoseModel.predict_image`` vs
    ``mmpose.apis.inference_topdown``: crop, flip test, decoding, mapping to
    the image). The two runtimes alternate in one loop (AB, BA, ...), so
    that slow drifts of a shared machine hit both; medians. The load
    average is recorded before and after every measurement.
``parity``
    Max abs difference of the heatmaps (random inputs, batch 1 and 7) and
    of the decoded landmarks (demo images, whole-image and inner boxes,
    flip test on) between onnxruntime and PyTorch, for k=0, 2, 3 (224x224)
    and the demo config; for the demo RTMDet detector, the raw outputs and
    the detections against ``mmdet.apis.inference_detector``.

Random weights (no download): untrained models whose BatchNorm statistics
and affine weights are made random (so that the non-local attention, which
starts as an identity, contributes) and whose heatmaps are scaled to about
unit height; the detector's BatchNorm statistics are set on a batch of
noise (unit-scale features). Speed does not depend on the weights.

Example (docs/benchmark.md has the numbers)::

    PYTHONPATH=projects python tools/analysis/benchmark_onnx.py \\
        --out-dir docs/benchmark
    # smoke run (tests): tiny sizes, one iteration
    PYTHONPATH=projects python tools/analysis/benchmark_onnx.py --tiny \\
        --out-dir /tmp/bench

Writes ``onnx_cpu.json`` (everything) and ``onnx_cpu.txt`` (the tables)
under ``--out-dir``.
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import statistics
import sys
import tempfile
import time
import warnings

import cv2
import numpy as np
import torch
from mmengine.runner import save_checkpoint
from torch.nn.modules.batchnorm import _BatchNorm

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
GLE = osp.join(REPO, 'configs', 'gle')
CONFIGS = dict(
    k0=osp.join(GLE, 'td-hm_vgg16-gle0-stage1_1xb50-30e_fld-224x224.py'),
    k2=osp.join(GLE, 'td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py'),
    k3=osp.join(GLE, 'td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py'),
    demo=osp.join(GLE, 'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py'))
DET_CONFIG = osp.join(REPO, 'configs', 'det',
                      'rtmdet-tiny_1xb8-20e_fashion-demo-det.py')
DEMO_IMAGES = osp.join(REPO, 'demo', 'data', 'fashion_demo', 'img')
HEATMAP_GAIN = 500.


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--parts', default='speed,parity')
    parser.add_argument('--models', default='k2,demo', help='speed part')
    parser.add_argument('--parity-models', default='k0,k2,k3,demo')
    parser.add_argument('--batches', default='1,8')
    parser.add_argument('--threads', default='1,2')
    parser.add_argument('--iters', type=int, default=7)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--out-dir', default='work_dirs/benchmark_onnx')
    parser.add_argument(
        '--tiny',
        action='store_true',
        help='64x64 inputs, demo models, 1 iteration (smoke test)')
    args = parser.parse_args(argv)
    if args.tiny:
        args.models, args.parity_models = 'demo', 'demo'
        args.batches, args.threads = '1,2', '1'
        args.iters, args.warmup = 1, 0
    return args


def load_average():
    return [round(v, 2) for v in os.getloadavg()]


def environment():
    import mmpose
    import onnx
    import onnxruntime
    env = dict(
        python=platform.python_version(),
        torch=torch.__version__,
        onnx=onnx.__version__,
        onnxruntime=onnxruntime.__version__,
        mmpose=mmpose.__version__,
        cpu_count=os.cpu_count(),
        platform=platform.platform())
    try:
        with open('/proc/cpuinfo') as f:
            names = [
                line.split(':', 1)[1].strip() for line in f
                if line.startswith('model name')
            ]
        env['cpu_model'] = names[0] if names else platform.processor()
    except OSError:
        env['cpu_model'] = platform.processor()
    return env


def _options(name, tiny):
    if not tiny:
        return None
    # 64x64 inputs for a quick run of the same code (the codec inside the
    # head's PairAwareHeatmap decoder)
    return {
        'model.head.decoder.codec.input_size': (64, 64),
        'model.head.decoder.codec.heatmap_size': (64, 64),
        'test_dataloader.dataset.pipeline.2.input_size': (64, 64),
    }


def random_pose_checkpoint(config, out, options=None):
    """An untrained model with random BatchNorms and unit-height heatmaps,
    saved as a training checkpoint (``state_dict`` + ``dataset_meta``)."""
    from mmpose.apis import init_model

    torch.manual_seed(0)
    model = init_model(
        config,
        None,
        device='cpu',
        cfg_options=dict(options or {}, **{'model.backbone.init_cfg': None}))
    model.init_weights()  # the configs' initialisation, as training
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, _BatchNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
        model.head.final_layer.weight.mul_(HEATMAP_GAIN)
        model.head.final_layer.bias.mul_(HEATMAP_GAIN)
    save_checkpoint(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=model.dataset_meta)), out)
    return out


def random_det_checkpoint(out):
    """The demo RTMDet with BatchNorm statistics of one batch of noise
    (unit-scale features) and boxes a few strides wide.

    Untrained, CSPNeXt's activations shrink to ~1e-3 by the neck, so the
    class scores all sit within 0.01 of sigmoid(bias) and tie to float
    precision (NMS then keeps one of them at random). BatchNorm statistics of
    one batch of noise bring the features to unit scale (scores spread over
    (0, 1)); RTMDet regresses box side distances linearly, and a positive
    bias makes most boxes a few strides wide. The ONNX parity tests use it
    too (tests/test_deployment/deploy_checkpoints.py).
    """
    from mmdet.apis import init_detector
    from mmengine.registry import DefaultScope

    from gle.detection import FashionDetDataset

    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'), \
            warnings.catch_warnings():
        warnings.simplefilter('ignore')
        det = init_detector(DET_CONFIG, None, device='cpu')
        bns = [m for m in det.modules() if isinstance(m, _BatchNorm)]
        det.train()
        with torch.no_grad():
            for bn in bns:
                bn.reset_running_stats()
                bn.momentum = None  # running stats = this batch's
            det.bbox_head(det.extract_feat(torch.randn(4, 3, 160, 160)))
            for bn in bns:
                bn.momentum = 0.03
            for reg in det.bbox_head.rtm_reg:
                reg.bias.fill_(2.0)
    torch.save(
        dict(
            state_dict=det.state_dict(),
            meta=dict(dataset_meta=dict(FashionDetDataset.METAINFO))), out)
    return out


def demo_images(n):
    paths = sorted(glob.glob(osp.join(DEMO_IMAGES, '*', '*.jpg')))
    return [cv2.imread(p) for p in paths[::max(1, len(paths) // n)][:n]]


def image_boxes(img):
    h, w = img.shape[:2]
    return np.array([[0, 0, w, h], [0.1 * w, 0.15 * h, 0.85 * w, 0.9 * h]],
                    np.float32)


def interleaved(fns, iters, warmup):
    """Median seconds of each callable, their order alternated per
    iteration."""
    names = list(fns)
    times = {n: [] for n in names}
    for i in range(warmup + iters):
        for n in (names if i % 2 == 0 else names[::-1]):
            t0 = time.perf_counter()
            fns[n]()
            if i >= warmup:
                times[n].append(time.perf_counter() - t0)
    return {n: statistics.median(t) for n, t in times.items()}


class Exported:
    """A random-weights model of a config, in PyTorch and exported."""

    def __init__(self, name, root, tiny):
        from gle.deployment import export_pose_model, load_pose_model

        self.name, self.options = name, _options(name, tiny)
        ckpt = random_pose_checkpoint(CONFIGS[name],
                                      osp.join(root, f'{name}.pth'),
                                      self.options)
        self.onnx_file = osp.join(root, f'{name}.onnx')
        t0 = time.perf_counter()
        export_pose_model(
            CONFIGS[name], ckpt, self.onnx_file, cfg_options=self.options)
        self.export_s = time.perf_counter() - t0
        self.torch = load_pose_model(CONFIGS[name], ckpt, self.options)

    def runtime(self, threads=None):
        from gle.deployment import ONNXPoseModel
        return ONNXPoseModel(self.onnx_file, num_threads=threads)


def measure_speed(model, args, log):
    """Rows of the speed table for one model."""
    from mmpose.apis import inference_topdown

    rows = []
    w, h = model.runtime(1).input_size
    img = demo_images(1)[0]
    for threads in [int(t) for t in args.threads.split(',')]:
        torch.set_num_threads(threads)
        ort_model = model.runtime(threads)
        for batch in [int(b) for b in args.batches.split(',')]:
            x = np.random.default_rng(0).standard_normal((batch, 3, h, w),
                                                         dtype=np.float32)
            xt = torch.from_numpy(x)
            boxes = np.tile(image_boxes(img)[1:], (batch, 1))

            def torch_forward():
                with torch.inference_mode():
                    model.torch(xt, None, mode='tensor')

            def torch_e2e():
                with torch.inference_mode():
                    inference_topdown(model.torch, img, boxes)

            for what, fns in (
                ('network',
                 dict(
                     onnxruntime=lambda: ort_model.forward(x),
                     pytorch=torch_forward)),
                ('end to end',
                 dict(
                     onnxruntime=lambda: ort_model.predict_image(img, boxes),
                     pytorch=torch_e2e))):
                before = load_average()
                med = interleaved(fns, args.iters, args.warmup)
                row = dict(
                    model=model.name,
                    input=f'{w}x{h}',
                    what=what,
                    batch=batch,
                    threads=threads,
                    load_before=before,
                    load_after=load_average())
                for rt, sec in med.items():
                    row[f'{rt}_ms_per_image'] = 1000 * sec / batch
                    row[f'{rt}_images_per_s'] = batch / sec
                row['speedup'] = med['pytorch'] / med['onnxruntime']
                rows.append(row)
                log(f'{model.name} {what} batch {batch} threads {threads}: '
                    f'ort {row["onnxruntime_ms_per_image"]:.1f} ms/img, '
                    f'torch {row["pytorch_ms_per_image"]:.1f} ms/img '
                    f'(x{row["speedup"]:.2f}), load {row["load_after"]}')
    return rows


def measure_pose_parity(model, log):
    from mmpose.apis import inference_topdown

    torch.set_num_threads(1)
    ort_model = model.runtime(1)
    w, h = ort_model.input_size
    res = dict(model=model.name, input=f'{w}x{h}')
    for batch in (1, 7):
        x = np.random.default_rng(batch).standard_normal((batch, 3, h, w),
                                                         dtype=np.float32)
        with torch.inference_mode():
            ref = model.torch(torch.from_numpy(x), None, mode='tensor')
        res[f'heatmap_diff_b{batch}'] = float(
            np.abs(ort_model.forward(x) - ref.numpy()).max())
        res['heatmap_max'] = float(ref.abs().max())
    worst = 0.
    for img in demo_images(4):
        boxes = image_boxes(img)
        keypoints, _ = ort_model.predict_image(img, boxes)
        ref = np.concatenate([
            r.pred_instances.keypoints
            for r in inference_topdown(model.torch, img, boxes)
        ])
        worst = max(worst, float(np.abs(keypoints - ref).max()))
    res['landmark_diff_px'] = worst
    res['num_landmarks'] = 4 * 2 * 8
    log(f'parity {model.name}: {res}')
    return res


def measure_det_parity(root, log):
    from mmdet.apis import inference_detector
    from mmengine.registry import DefaultScope
    from mmpose.utils import adapt_mmdet_pipeline

    from gle.deployment import (DetectorExportWrapper, ONNXDetector,
                                export_detector, load_detector)

    ckpt = random_det_checkpoint(osp.join(root, 'det.pth'))
    onnx_file = osp.join(root, 'det.onnx')
    export_detector(DET_CONFIG, ckpt, onnx_file)
    det = load_detector(DET_CONFIG, ckpt)
    det.cfg = adapt_mmdet_pipeline(det.cfg)
    runtime = ONNXDetector(onnx_file, num_threads=1)
    wrapper = DetectorExportWrapper(det, runtime.input_size)
    w, h = runtime.input_size
    res = dict(model='rtmdet-tiny demo', input=f'{w}x{h}')
    for batch in (1, 7):
        x = np.random.default_rng(batch).standard_normal((batch, 3, h, w),
                                                         dtype=np.float32)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            boxes, scores = wrapper(torch.from_numpy(x))
        out_boxes, out_scores = runtime.forward(x)
        res[f'box_diff_b{batch}'] = float(
            np.abs(out_boxes - boxes.numpy()).max())
        res[f'score_diff_b{batch}'] = float(
            np.abs(out_scores - scores.numpy()).max())
    matched = total = 0
    worst_box = worst_score = 0.
    for img in demo_images(4):
        with DefaultScope.overwrite_default_scope('mmdet'), \
                warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ref = inference_detector(det, img).pred_instances.cpu().numpy()
        ours = runtime.predict(img)
        total += len(ref.bboxes)
        for box, score, label in zip(ours['bboxes'], ours['scores'],
                                     ours['labels']):
            same = ref.labels == label
            if not same.any():
                continue
            d = np.abs(ref.bboxes[same] - box).max(1)
            j = int(np.argmin(d))
            if d[j] < 0.05:
                matched += 1
                worst_box = max(worst_box, float(d[j]))
                worst_score = max(worst_score,
                                  float(abs(ref.scores[same][j] - score)))
    res.update(
        detections=total,
        matched=matched,
        matched_box_diff=worst_box,
        matched_score_diff=worst_score)
    log(f'parity detector: {res}')
    return res


def speed_table(rows):
    lines = [
        '| model | input | what | batch | threads | onnxruntime ms/img | '
        'PyTorch ms/img | onnxruntime img/s | PyTorch img/s | speed-up | '
        'load avg (1 min) before/after |', '|' + ' --- |' * 11
    ]
    for r in rows:
        lines.append(
            f'| {r["model"]} | {r["input"]} | {r["what"]} | {r["batch"]} | '
            f'{r["threads"]} | {r["onnxruntime_ms_per_image"]:.1f} | '
            f'{r["pytorch_ms_per_image"]:.1f} | '
            f'{r["onnxruntime_images_per_s"]:.2f} | '
            f'{r["pytorch_images_per_s"]:.2f} | {r["speedup"]:.2f}x | '
            f'{r["load_before"][0]} / {r["load_after"][0]} |')
    return '\n'.join(lines)


def parity_table(pose, det):
    lines = [
        '| model | input | heatmaps max abs diff, batch 1 | batch 7 | '
        'max abs heatmap | landmarks max diff (px) |', '|' + ' --- |' * 6
    ]
    for r in pose:
        lines.append(
            f'| {r["model"]} | {r["input"]} | '
            f'{r["heatmap_diff_b1"]:.2g} | {r["heatmap_diff_b7"]:.2g} '
            f'| {r["heatmap_max"]:.2f} | '
            f'{r["landmark_diff_px"]:.2g} |')
    if det:
        lines += [
            '', '| detector | input | boxes max abs diff, batch 1 / 7 | '
            'scores, batch 1 / 7 | detections matched | matched box / score '
            'diff |', '|' + ' --- |' * 6,
            f'| {det["model"]} | {det["input"]} | {det["box_diff_b1"]:.2g} / '
            f'{det["box_diff_b7"]:.2g} | {det["score_diff_b1"]:.2g} / '
            f'{det["score_diff_b7"]:.2g} | {det["matched"]} of '
            f'{det["detections"]} | {det["matched_box_diff"]:.2g} / '
            f'{det["matched_score_diff"]:.2g} |'
        ]
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    parts = args.parts.split(',')
    os.makedirs(args.out_dir, exist_ok=True)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    import gle  # noqa: F401  (registration)

    res = dict(
        command='python tools/analysis/benchmark_onnx.py ' +
        ' '.join(argv if argv is not None else sys.argv[1:]),
        environment=environment(),
        load_start=load_average(),
        iters=args.iters,
        warmup=args.warmup)
    t_start = time.perf_counter()
    names = []
    if 'speed' in parts:
        names += args.models.split(',')
    if 'parity' in parts:
        names += args.parity_models.split(',')
    with tempfile.TemporaryDirectory() as root:
        models = {}
        for name in dict.fromkeys(names):
            models[name] = Exported(name, root, args.tiny)
            log(f'exported {name} in {models[name].export_s:.1f} s')
        res['export_s'] = {n: m.export_s for n, m in models.items()}
        if 'speed' in parts:
            res['speed'] = [
                row for name in args.models.split(',')
                for row in measure_speed(models[name], args, log)
            ]
        if 'parity' in parts:
            res['pose_parity'] = [
                measure_pose_parity(models[name], log)
                for name in args.parity_models.split(',')
            ]
            res['det_parity'] = measure_det_parity(root, log)
    res['load_end'] = load_average()
    res['total_s'] = time.perf_counter() - t_start
    text = [
        f'# {res["command"]}', f'# {res["environment"]["cpu_model"]}, '
        f'{res["environment"]["cpu_count"]} CPUs, load average '
        f'{res["load_start"]} at the start, {res["load_end"]} at the end, '
        f'{res["total_s"]:.0f} s'
    ]
    if 'speed' in res:
        text += ['', speed_table(res['speed'])]
    if 'pose_parity' in res:
        text += ['', parity_table(res['pose_parity'], res['det_parity'])]
    with open(osp.join(args.out_dir, 'onnx_cpu.json'), 'w') as f:
        json.dump(res, f, indent=1)
    with open(osp.join(args.out_dir, 'onnx_cpu.txt'), 'w') as f:
        f.write('\n'.join(text) + '\n')
    print('\n'.join(text))
    return 0


if __name__ == '__main__':
    sys.exit(main())
