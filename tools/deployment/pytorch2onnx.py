r"""Export a GLE pose model (or, with ``--det``, the clothing detector) to
ONNX for onnxruntime.

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT \
        --out model.onnx [--opset N] [--det] [--exporter dynamo|torchscript] \
        [--verify] [--cfg-options k=v ...]

Pose model: input ``input`` (N, 3, h, w), the normalised batch that
``PoseDataPreprocessor`` produces, dynamic N; output ``heatmaps``
(N, K, H, W), what ``model(inputs, None, mode='tensor')`` returns.
Detector (RTMDet, configs/det/): input (N, 3, h, w) after
``DetDataPreprocessor``; outputs ``boxes`` (N, P, 4) and ``scores``
(N, P, C) of every prior, turned into boxes, scores and labels by
``gle.deployment.ONNXDetector``. Preprocessing, decoding and post-processing
settings are stored in the file (docs/deployment.md). ``--verify`` compares
onnxruntime with PyTorch on random inputs of batch 1 and 7.
"""
import argparse
import sys
import warnings

import numpy as np
import torch
from mmengine.config import DictAction

from gle.deployment import (DEFAULT_OPSET, EXPORTERS, DetectorExportWrapper,
                            HeatmapExportWrapper, create_session,
                            export_detector, export_pose_model, load_detector,
                            load_pose_model)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'config', help='pose (or, with --det, detector) '
        'config')
    parser.add_argument('checkpoint', help='checkpoint of the config')
    parser.add_argument(
        '--out', required=True, help='output ONNX file (model.onnx)')
    parser.add_argument(
        '--opset',
        type=int,
        default=DEFAULT_OPSET,
        help=f'ONNX opset (default: {DEFAULT_OPSET})')
    parser.add_argument(
        '--det',
        action='store_true',
        help='export the clothing detector (RTMDet) of a detector config')
    parser.add_argument(
        '--exporter',
        choices=EXPORTERS,
        default='dynamo',
        help="torch.onnx.export route: 'dynamo' (torch.export, torch's "
        "default) or the deprecated 'torchscript' tracer")
    parser.add_argument(
        '--verify',
        action='store_true',
        help='compare onnxruntime and PyTorch outputs after the export')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'model.neck.attention_impl=explicit')
    return parser.parse_args(argv)


def verify(args, meta) -> float:
    """Max abs difference of the outputs, onnxruntime vs PyTorch, on random
    batches of 1 and 7."""
    if args.det:
        model = load_detector(args.config, args.checkpoint, args.cfg_options)
        w, h = meta['preprocess']['input_size']
        module = DetectorExportWrapper(model, (w, h)).eval()
    else:
        model = load_pose_model(args.config, args.checkpoint, args.cfg_options)
        w, h = meta['preprocess']['input_size']
        module = HeatmapExportWrapper(model).eval()
    session = create_session(args.out)
    worst = 0.
    rng = np.random.default_rng(0)
    for n in (1, 7):
        x = rng.standard_normal((n, 3, h, w), dtype=np.float32)
        with torch.no_grad(), warnings.catch_warnings():
            # mmdet's CSPNeXt calls the deprecated torch.cuda.amp.autocast
            warnings.filterwarnings('ignore', category=FutureWarning)
            ref = module(torch.from_numpy(x))
        ref = ref if isinstance(ref, tuple) else (ref, )
        outs = session.run(None, {meta['input_name']: x})
        for name, o, r in zip(meta['output_names'], outs, ref):
            diff = float(np.abs(o - r.numpy()).max())
            print(f'verify: batch {n}, {name} {tuple(o.shape)}: max abs '
                  f'diff {diff:.3g}')
            worst = max(worst, diff)
    return worst


def main(argv=None):
    args = parse_args(argv)
    export = export_detector if args.det else export_pose_model
    meta = export(
        args.config,
        args.checkpoint,
        args.out,
        opset=args.opset,
        exporter=args.exporter,
        cfg_options=args.cfg_options)
    print(f'exported the {meta["task"]} model of {args.config} to '
          f'{args.out} (opset {args.opset}, {args.exporter} exporter); '
          'onnx.checker passed')
    if args.verify and verify(args, meta) > 1e-4:
        print(
            'verify: onnxruntime differs from PyTorch by more than 1e-4',
            file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
