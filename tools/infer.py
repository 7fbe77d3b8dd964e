"""Fashion landmarks on images, folders or videos: clothing detector -> GLE.

    python tools/infer.py INPUT POSE_CONFIG POSE_CHECKPOINT
        [--det-config DET_CONFIG --det-checkpoint DET_CHECKPOINT]
        [--boxes boxes.json] [--out-dir work_dirs/infer]
        [--det-score-thr 0.3] [--nms-thr 0.3] [--kpt-thr 0.3]
        [--det-cat-ids 0 1 2] [--fallback-whole-image] [--keep-outside]
        [--no-draw] [--radius 3] [--thickness 2] [--device cpu|cuda|cuda:1]
    python tools/infer.py INPUT POSE_CONFIG [POSE_CHECKPOINT]
        --backend onnxruntime --onnx pose.onnx [--det-onnx det.onnx]
        [--num-threads N] [the options above but --device]

INPUT is an image, a folder (its images, searched recursively) or a video
(.mp4, .avi, .mov, .mkv, ...). Without a detector each image is one item of
unknown clothes type, unless ``--boxes`` gives its boxes (a JSON object
``{"<image file name>": [[x1, y1, x2, y2, (score), (clothes_type)], ...]}``,
keyed by the path relative to the input folder or the file name; a video's
boxes apply to every frame). Listed images use their boxes even with a
detector; the others use the detector. Boxes reaching outside their image
are clipped to it (with a warning), boxes off the image are an error.

Outputs under ``--out-dir`` (see docs/inference.md for the JSON schema):

- ``predictions/<image path relative to the input, extension .json>``: one
  JSON per image (``x.jpg.json`` and ``x.png.json`` when a folder holds both
  ``x.jpg`` and ``x.png``); ``predictions/<video stem>.json``: one JSON per
  video with a ``frames`` list;
- ``vis/<image path>``, ``vis/<video file name>``: the drawn image / video
  (left landmarks yellow, right red; boxes labelled with clothes type and
  score). ``--no-draw`` skips them.

When the detector finds nothing in an image its JSON has ``"instances": []``
and the image is still drawn (unchanged); a summary names such images.
``--fallback-whole-image`` uses the whole image instead. Landmarks predicted
outside the image are clipped to its border unless ``--keep-outside``. An
output folder inside the input folder is never read as input.

``--backend onnxruntime`` runs the models exported by
tools/deployment/pytorch2onnx.py (``--onnx``: the pose model of POSE_CONFIG;
``--det-onnx``: the detector, exported with ``--det``) on the CPU, with the
same JSON and drawings (docs/deployment.md). POSE_CONFIG still gives the
landmark metainfo, the test pipeline, the flip test and the codec; the
weights are those inside the .onnx file, so POSE_CHECKPOINT may be left out
and is not read (a warning says so when its file name is not the one the
.onnx was exported from). An .onnx exported from another config, or the
detector's file given as ``--onnx``, is an error naming the file.

This is a command line around ``gle.apis.FashionLandmarkInferencer``, which
does all of the above (docs/inference.md).

Exit status: 0 on success, 1 on an error (message on stderr) or when some
images of a folder could not be used (they are skipped and listed).
"""
import argparse
import os.path as osp
import sys

from tqdm import tqdm

# the options shared with demo/app.py (standard library only: --help stays
# instant)
sys.path.append(osp.dirname(osp.abspath(__file__)))
import infer_args  # noqa: E402

#: ``--backend`` values (``gle.apis.BACKENDS``)
BACKENDS = infer_args.BACKENDS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Detect clothing items and their 8 fashion landmarks '
        '(GLE) in images, folders of images or videos')
    parser.add_argument('input', help='image, folder of images, or video')
    parser.add_argument('pose_config', help='GLE config (configs/gle/)')
    parser.add_argument(
        'pose_checkpoint', nargs='?', help=infer_args.POSE_CHECKPOINT_HELP)
    infer_args.add_detector_args(parser)
    infer_args.add_backend_args(parser, 'POSE_CONFIG')
    parser.add_argument(
        '--boxes',
        help='JSON file of boxes per image: {"<image file name>": '
        '[[x1, y1, x2, y2, (score), (clothes_type)], ...]}')
    parser.add_argument(
        '--out-dir',
        default='work_dirs/infer',
        help='output folder (default: work_dirs/infer)')
    parser.add_argument(
        '--det-score-thr',
        type=float,
        default=0.3,
        help='minimum detection score (default: 0.3)')
    parser.add_argument(
        '--nms-thr',
        type=float,
        default=0.3,
        help='IoU threshold of the class-agnostic NMS of the '
        'detections (default: 0.3)')
    parser.add_argument(
        '--kpt-thr',
        type=float,
        default=0.3,
        help='minimum landmark score drawn (default: 0.3); '
        'the JSON has every landmark with its score')
    parser.add_argument(
        '--det-cat-ids',
        type=int,
        nargs='+',
        help='detector labels to keep (default: all; ours: '
        '0 upper, 1 lower, 2 full)')
    parser.add_argument(
        '--fallback-whole-image',
        action='store_true',
        help='when the detector finds nothing, use the whole '
        'image as one item of unknown clothes type')
    parser.add_argument(
        '--keep-outside',
        action='store_true',
        help='report landmarks predicted outside the image as predicted '
        '(default: clipped to the image border)')
    parser.add_argument(
        '--no-draw', action='store_true', help='write the JSON files only')
    parser.add_argument(
        '--radius',
        type=int,
        default=3,
        help='landmark radius in the drawings (default: 3)')
    parser.add_argument(
        '--thickness',
        type=int,
        default=2,
        help='line width in the drawings (default: 2)')
    infer_args.add_device_arg(parser)
    return parser.parse_args(argv)


class Summary:
    """What the end-of-run summary says, gathered from the results."""

    def __init__(self) -> None:
        self.done = 0
        self.empty = []  # the detector found nothing
        self.outside = []  # landmarks clipped to the image border

    def add(self, sample, keep_outside: bool) -> None:
        self.done += 1
        instances = sample.pred_instances
        if len(instances) == 0 and sample.box_source == 'detector':
            self.empty.append(sample.img_name)
        if not keep_outside and (instances.keypoints_outside
                                 & instances.keypoints_present).any():
            self.outside.append(sample.img_name)

    def print(self, unit: str, args, skipped) -> None:
        pred_dir, vis_dir = _out_dirs(args)
        print(f'{self.done} {unit} processed; JSON in {pred_dir}' +
              ('' if args.no_draw else f', drawings in {vis_dir}'))
        if self.empty:
            print(f'no clothing item found in {len(self.empty)} of '
                  f'{self.done} {unit} ({_some(self.empty)}): their JSON '
                  'has "instances": [] and their drawing no box. Lower '
                  '--det-score-thr or pass --fallback-whole-image.')
        if self.outside:
            print(f'landmarks outside the image were clipped to its border '
                  f'in {len(self.outside)} of {self.done} {unit} '
                  f'({_some(self.outside)}); --keep-outside reports them '
                  'as predicted.')
        if skipped:
            print(
                f'{len(skipped)} image(s) skipped (unreadable, or bad '
                f'boxes): {", ".join(skipped)}',
                file=sys.stderr)


def _some(names) -> str:
    return ', '.join(names[:5]) + (', ...' if len(names) > 5 else '')


def _out_dirs(args):
    return (osp.join(args.out_dir, 'predictions'),
            None if args.no_draw else osp.join(args.out_dir, 'vis'))


def run(args) -> int:
    from gle.apis import (FashionLandmarkInferencer, find_inputs,
                          load_boxes_file)

    if args.backend == 'pytorch' and not args.pose_checkpoint:
        raise ValueError('POSE_CHECKPOINT is required with --backend '
                         'pytorch (--backend onnxruntime runs --onnx '
                         'instead)')
    # fail on a missing, unsupported or empty input before loading models
    pred_dir, vis_dir = _out_dirs(args)
    kind, images = find_inputs(args.input, vis_dir or '', pred_dir)
    boxes = load_boxes_file(args.boxes) if args.boxes else None

    inferencer = FashionLandmarkInferencer(
        args.pose_config,
        args.pose_checkpoint,
        device=args.device,
        det_model=args.det_config,
        det_weights=args.det_checkpoint,
        det_cat_ids=args.det_cat_ids,
        backend=args.backend,
        onnx=args.onnx,
        det_onnx=args.det_onnx,
        num_threads=args.num_threads)
    results = inferencer(
        args.input,
        return_datasamples=True,
        bboxes=boxes,
        bbox_thr=args.det_score_thr,
        nms_thr=args.nms_thr,
        fallback_whole_image=args.fallback_whole_image,
        keep_outside=args.keep_outside,
        kpt_thr=args.kpt_thr,
        radius=args.radius,
        thickness=args.thickness,
        vis_out_dir=vis_dir or '',
        pred_out_dir=pred_dir)
    if kind == 'video':
        results = tqdm(results, desc=osp.basename(args.input), unit='frame')
    else:
        results = tqdm(results, desc='images', unit='img', total=len(images))
    summary = Summary()
    for result in results:
        for sample in result['predictions']:
            summary.add(sample, args.keep_outside)
    summary.print('frames' if kind == 'video' else 'images', args,
                  inferencer.skipped)
    return 1 if inferencer.skipped else 0


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (OSError, ValueError, ImportError) as e:
        # missing files, InputError, CheckpointMismatchError, malformed
        # --boxes, .onnx files that do not fit, onnxruntime not installed:
        # the message says what and where
        print(f'error: {e}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
