"""Fashion landmarks on images, folders or videos: clothing detector -> GLE.

    python tools/infer.py INPUT POSE_CONFIG POSE_CHECKPOINT
        [--det-config DET_CONFIG --det-checkpoint DET_CHECKPOINT]
        [--boxes boxes.json] [--out-dir work_dirs/infer]
        [--det-score-thr 0.3] [--nms-thr 0.3] [--kpt-thr 0.3]
        [--det-cat-ids 0 1 2] [--fallback-whole-image] [--no-draw]
        [--device cpu|cuda|cuda:1]

INPUT is an image, a folder (its images, searched recursively) or a video
(.mp4, .avi, .mov, .mkv, ...). Without a detector each image is one item of
unknown clothes type, unless ``--boxes`` gives its boxes (a JSON object
``{"<image file name>": [[x1, y1, x2, y2, (score), (clothes_type)], ...]}``,
keyed by the path relative to the input folder or the file name; a video's
boxes apply to every frame). Listed images use their boxes even with a
detector; the others use the detector.

Outputs under ``--out-dir`` (see docs/inference.md for the JSON schema):

- ``predictions/<image path relative to the input, extension .json>``: one
  JSON per image; ``predictions/<video stem>.json``: one JSON per video with
  a ``frames`` list;
- ``vis/<image path>``, ``vis/<video file name>``: the drawn image / video
  (left landmarks yellow, right red; boxes labelled with clothes type and
  score). ``--no-draw`` skips them.

When the detector finds nothing in an image its JSON has ``"instances": []``
and the image is still drawn (unchanged); a summary names such images.
``--fallback-whole-image`` uses the whole image instead.

Exit status: 0 on success, 1 on an error (message on stderr) or when some
images of a folder could not be read (they are skipped and listed).
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Iterator, List, Optional, Tuple

import cv2
import mmcv
import numpy as np
from tqdm import tqdm

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')
VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.m4v', '.mpg', '.mpeg', '.wmv',
              '.webm')
#: FourCC of the drawn video per container; others are written as MJPG .avi
VIDEO_FOURCC = {
    '.avi': 'MJPG',
    '.mp4': 'mp4v',
    '.m4v': 'mp4v',
    '.mov': 'mp4v',
    '.mkv': 'mp4v'
}


class InputError(ValueError):
    """An input that cannot be read (image, video, folder)."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Detect clothing items and their 8 fashion landmarks '
        '(GLE) in images, folders of images or videos')
    parser.add_argument('input', help='image, folder of images, or video')
    parser.add_argument('pose_config', help='GLE config (configs/gle/)')
    parser.add_argument('pose_checkpoint', help='GLE checkpoint')
    parser.add_argument(
        '--det-config', help='clothing detector config (configs/det/)')
    parser.add_argument(
        '--det-checkpoint', help='clothing detector checkpoint')
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
    parser.add_argument(
        '--device',
        default=None,
        help='cpu, cuda, cuda:1 ... (default: cuda:0 when '
        'available, else cpu)')
    return parser.parse_args(argv)


def _ext(path: str) -> str:
    return osp.splitext(path)[1].lower()


def list_images(folder: str) -> List[str]:
    """Image paths under ``folder``, recursively, relative, sorted."""
    found, videos = [], 0
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            rel = osp.relpath(osp.join(root, name), folder)
            if _ext(name) in IMAGE_EXTS:
                found.append(rel)
            elif _ext(name) in VIDEO_EXTS:
                videos += 1
    if not found:
        note = (f' ({videos} video(s) found: give each video as the input)'
                if videos else '')
        raise InputError(f'no image ({", ".join(IMAGE_EXTS)}) in folder '
                         f'{folder}{note}')
    return sorted(found)


def read_image(path: str) -> np.ndarray:
    """The image as BGR, or an :class:`InputError` saying why not."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    try:
        image = mmcv.imread(path, flag='color', channel_order='bgr')
    except Exception as e:  # noqa: BLE001  (decoder errors, re-explained)
        raise InputError(f'cannot read image {path} ({e})') from e
    if image is None or image.size == 0:
        raise InputError(f'cannot read image {path}: not an image OpenCV can '
                         'decode, or the file is corrupt')
    return image


def read_video(path: str) -> Tuple[float, int, Iterator[np.ndarray]]:
    """``(fps, frame count, frames)`` of a video (BGR frames)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'video not found: {path}')
    cap = cv2.VideoCapture(path)
    ok, first = cap.read() if cap.isOpened() else (False, None)
    if not ok:
        cap.release()
        raise InputError(f'cannot read video {path}: no frame could be '
                         'decoded (corrupt file, or a codec that OpenCV\'s '
                         'FFmpeg does not support: convert it, e.g. '
                         '`ffmpeg -i IN -c:v libx264 OUT.mp4`)')
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or 0

    def frames():
        frame = first
        try:
            while frame is not None:
                yield frame
                ok, frame = cap.read()
                if not ok:
                    frame = None
        finally:
            cap.release()

    return fps, count, frames()


def open_video_writer(path: str, fps: float,
                      size: Tuple[int, int]) -> Tuple[cv2.VideoWriter, str]:
    """A writer for the drawn video; MJPG .avi when the container of
    ``path`` cannot be written. Returns the writer and the path used."""
    fourcc = VIDEO_FOURCC.get(_ext(path))
    if fourcc is not None:
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps,
                                 size)
        if writer.isOpened():
            return writer, path
    path = osp.splitext(path)[0] + '.avi'
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), fps, size)
    if not writer.isOpened():
        raise OSError(f'OpenCV cannot write the video {path}')
    return writer, path


def _write_json(path: str, data: dict) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(data, f, indent=2)
        f.write('\n')


class Job:
    """Runs the inferencer over the inputs and writes the outputs."""

    def __init__(self, args, inferencer, boxes: Optional[dict]):
        self.args = args
        self.inferencer = inferencer
        self.boxes = boxes or {}
        self.pred_dir = osp.join(args.out_dir, 'predictions')
        self.vis_dir = osp.join(args.out_dir, 'vis')
        self.empty: List[str] = []  # detector found nothing
        self.unreadable: List[str] = []
        self.done = 0

    def _boxes_for(self, *keys: str):
        from gle.apis import find_boxes
        return find_boxes(self.boxes, [k.replace(os.sep, '/') for k in keys])

    def _infer(self, image: np.ndarray, name: str, boxes) -> dict:
        result = self.inferencer(image, bboxes=boxes)
        if not result['instances'] and boxes is None \
                and self.inferencer.det_model is not None:
            self.empty.append(name)
        return result

    def _draw(self, image: np.ndarray, result: dict) -> np.ndarray:
        return self.inferencer.draw(
            image,
            result,
            kpt_thr=self.args.kpt_thr,
            radius=self.args.radius,
            thickness=self.args.thickness)

    def image(self, path: str, rel: str) -> None:
        image = read_image(path)
        result = self._infer(image, rel,
                             self._boxes_for(rel, path, osp.basename(rel)))
        _write_json(
            osp.join(self.pred_dir,
                     osp.splitext(rel)[0] + '.json'),
            dict(image=rel.replace(os.sep, '/'), **result))
        if not self.args.no_draw:
            out = osp.join(self.vis_dir, rel)
            os.makedirs(osp.dirname(out), exist_ok=True)
            mmcv.imwrite(self._draw(image, result), out)
        self.done += 1

    def folder(self, folder: str) -> None:
        for rel in tqdm(list_images(folder), desc='images', unit='img'):
            try:
                self.image(osp.join(folder, rel), rel)
            except InputError as e:
                tqdm.write(f'skipped: {e}', file=sys.stderr)
                self.unreadable.append(rel)

    def video(self, path: str) -> None:
        fps, count, frames = read_video(path)
        name = osp.basename(path)
        stem = osp.splitext(name)[0]
        boxes = self._boxes_for(path, name)
        json_path = osp.join(self.pred_dir, stem + '.json')
        os.makedirs(self.pred_dir, exist_ok=True)
        # written under a temporary name: a failed run leaves no truncated
        # JSON behind a valid-looking name
        try:
            self._video_frames(frames, count, name, boxes, json_path + '.part',
                               fps)
        except BaseException:
            if osp.exists(json_path + '.part'):
                os.remove(json_path + '.part')
            raise
        os.replace(json_path + '.part', json_path)

    def _video_frames(self, frames, count, name, boxes, json_path, fps):
        writer = out_path = None
        n = 0
        try:
            with open(json_path, 'w', encoding='utf-8') as f:
                # streamed: one frame at a time, never the whole video in
                # memory
                for n, frame in enumerate(
                        tqdm(
                            frames,
                            desc=name,
                            total=count or None,
                            unit='frame'),
                        start=1):
                    result = self._infer(frame, f'{name} frame {n}', boxes)
                    if n == 1:
                        header = dict(
                            video=name,
                            fps=fps,
                            width=result['width'],
                            height=result['height'])
                        f.write(json.dumps(header)[:-1] + ', "frames": [\n')
                    else:
                        f.write(',\n')
                    f.write(
                        json.dumps(
                            dict(frame=n, instances=result['instances'])))
                    if self.args.no_draw:
                        continue
                    if writer is None:
                        os.makedirs(self.vis_dir, exist_ok=True)
                        writer, out_path = open_video_writer(
                            osp.join(self.vis_dir, name), fps,
                            (frame.shape[1], frame.shape[0]))
                    writer.write(self._draw(frame, result))
                f.write(f'\n], "num_frames": {n}}}\n')
        finally:
            if writer is not None:
                writer.release()
        if out_path is not None and out_path != osp.join(self.vis_dir, name):
            print(f'note: drawn video written as {out_path} (OpenCV cannot '
                  f'write {_ext(name)} here)')
        self.done += n

    def summary(self, unit: str) -> None:
        print(f'{self.done} {unit} processed; JSON in {self.pred_dir}' +
              ('' if self.args.no_draw else f', drawings in {self.vis_dir}'))
        if self.empty:
            shown = ', '.join(
                self.empty[:5]) + (', ...' if len(self.empty) > 5 else '')
            print(f'no clothing item found in {len(self.empty)} of '
                  f'{self.done} {unit} ({shown}): their JSON has '
                  '"instances": [] and their drawing no box. Lower '
                  '--det-score-thr or pass --fallback-whole-image.')
        if self.unreadable:
            print(
                f'{len(self.unreadable)} unreadable image(s) skipped: '
                f'{", ".join(self.unreadable)}',
                file=sys.stderr)


def run(args) -> int:
    import torch

    from gle.apis import FashionLandmarkInferencer, load_boxes_file

    if not osp.exists(args.input):
        raise FileNotFoundError(f'input not found: {args.input}')
    if osp.isdir(args.input):
        kind = 'folder'
        list_images(args.input)  # fail on an empty folder before loading
    elif _ext(args.input) in VIDEO_EXTS:
        kind = 'video'
    elif _ext(args.input) in IMAGE_EXTS:
        kind = 'image'
    else:
        raise InputError(
            f'unsupported input {args.input}: expected an image '
            f'({", ".join(IMAGE_EXTS)}), a video ({", ".join(VIDEO_EXTS)}) '
            'or a folder of images')
    in_dir = args.input if kind == 'folder' else osp.dirname(args.input)
    if not args.no_draw and osp.realpath(osp.join(
            args.out_dir, 'vis')) == osp.realpath(in_dir or '.'):
        raise InputError(f'the drawings would overwrite the inputs in '
                         f'{in_dir}: choose another --out-dir')
    boxes = load_boxes_file(args.boxes) if args.boxes else None
    device = args.device or ('cuda:0' if torch.cuda.is_available() else 'cpu')

    inferencer = FashionLandmarkInferencer(
        args.pose_config,
        args.pose_checkpoint,
        det_config=args.det_config,
        det_checkpoint=args.det_checkpoint,
        device=device,
        det_score_thr=args.det_score_thr,
        nms_thr=args.nms_thr,
        det_cat_ids=args.det_cat_ids,
        fallback_whole_image=args.fallback_whole_image)
    job = Job(args, inferencer, boxes)
    if kind == 'folder':
        job.folder(args.input)
    elif kind == 'video':
        job.video(args.input)
    else:
        job.image(args.input, osp.basename(args.input))
    job.summary('frames' if kind == 'video' else 'images')
    return 1 if job.unreadable else 0


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (OSError, ValueError) as e:
        # missing files, InputError, CheckpointMismatchError and malformed
        # --boxes: the message says what and where
        print(f'error: {e}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
