"""What the inferencer reads: images, folders of images, videos.

Every failure is an :class:`InputError` (or ``FileNotFoundError``) whose
message names the file and says why, so that a folder run can skip the file
and go on.
"""
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmengine.utils import scandir

from ..utils import check_image

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')
VIDEO_EXTS = ('.mp4', '.avi', '.mov', '.mkv', '.m4v', '.mpg', '.mpeg', '.wmv',
              '.webm')
#: images with more pixels are refused before decoding (an 11585 x 11585
#: image is 400 MB as BGR; a crafted header can claim far more)
MAX_IMAGE_PIXELS = 2**27


class InputError(ValueError):
    """An input that cannot be used (image, video, folder, or its boxes)."""


def file_ext(path: str) -> str:
    """The lower-case extension of ``path``, with its dot."""
    return osp.splitext(path)[1].lower()


def input_kind(path: str) -> str:
    """``'folder'``, ``'video'`` or ``'image'``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        InputError: A file that is neither an image nor a video.
    """
    if not osp.exists(path):
        raise FileNotFoundError(f'input not found: {path}')
    if osp.isdir(path):
        return 'folder'
    if file_ext(path) in VIDEO_EXTS:
        return 'video'
    if file_ext(path) in IMAGE_EXTS:
        return 'image'
    raise InputError(f'unsupported input {path}: expected an image '
                     f'({", ".join(IMAGE_EXTS)}), a video '
                     f'({", ".join(VIDEO_EXTS)}) or a folder of images')


def _inside(path: str, folder: str) -> bool:
    return osp.commonpath([path, folder]) == folder


def list_images(folder: str, exclude: Sequence[str] = ()) -> List[str]:
    """Image paths under ``folder``, recursively, relative, sorted.

    Hidden files (``.name``) are not listed (``mmengine.utils.scandir``).

    Args:
        folder (str): The input folder.
        exclude (Sequence[str]): Folders whose files are never listed: the
            output folders, so that a second run never reads the drawings of
            the first as inputs.

    Returns:
        list[str]: Paths relative to ``folder``.

    Raises:
        InputError: No image in the folder, or it cannot be listed.
    """
    skipped = [osp.realpath(d) for d in exclude if d]
    try:
        found = sorted(
            rel for rel in scandir(
                folder, IMAGE_EXTS, recursive=True, case_sensitive=False)
            if not any(
                _inside(osp.realpath(osp.join(folder, rel)), d)
                for d in skipped))
        videos = [] if found else list(
            scandir(folder, VIDEO_EXTS, recursive=True, case_sensitive=False))
    except OSError as e:
        raise InputError(
            f'cannot list the images of folder {folder}: '
            f'{e.strerror or e} (links to folders are followed: one that '
            'points back into the folder loops)') from e
    if not found:
        note = (f' ({len(videos)} video(s) found: give each video as the '
                'input)' if videos else '')
        raise InputError(f'no image ({", ".join(IMAGE_EXTS)}) in folder '
                         f'{folder}{note}')
    return found


def prediction_names(names: Sequence[str]) -> Dict[str, str]:
    """The JSON file name of each image: its path with the extension
    replaced by ``.json`` (``a/1.jpg`` -> ``a/1.json``), or with ``.json``
    appended where two images of one folder share a stem (``x.jpg`` and
    ``x.png`` -> ``x.jpg.json`` and ``x.png.json``), so no JSON replaces
    another.

    Args:
        names (Sequence[str]): Image paths relative to the input, ``/``
            separated.

    Returns:
        dict[str, str]: Image path -> JSON path, both relative.
    """
    stems: Dict[str, int] = {}
    for name in names:
        stem = osp.splitext(name)[0].lower()
        stems[stem] = stems.get(stem, 0) + 1
    return {
        name: (name if stems[osp.splitext(name)[0].lower()] > 1 else
               osp.splitext(name)[0]) + '.json'
        for name in names
    }


def image_size(path: str) -> Tuple[int, int]:
    """``(width, height)`` from the file header, without decoding; (0, 0)
    for a format Pillow does not know (OpenCV then decides).

    Raises:
        InputError: A header claiming more pixels than Pillow opens
            (a decompression bomb).
    """
    from PIL import Image
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                return image.size
        except Image.DecompressionBombError as e:
            raise InputError(
                f'cannot read image {path}: too large to decode safely '
                f'({e}). Fix: resize it (at most {MAX_IMAGE_PIXELS} '
                'pixels)') from None
        except Exception:  # noqa: BLE001  (unknown to Pillow)
            return 0, 0


def read_image(path: str) -> np.ndarray:
    """The image as BGR uint8, shape (H, W, 3) (grayscale, 16-bit and RGBA
    images are converted).

    Raises:
        FileNotFoundError: The file does not exist.
        InputError: Empty, too large, or not decodable (the message says
            which).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    if os.stat(path).st_size == 0:
        raise InputError(f'cannot read image {path}: the file is empty '
                         '(0 bytes)')
    width, height = image_size(path)
    if width * height > MAX_IMAGE_PIXELS:
        raise InputError(
            f'cannot read image {path}: {width}x{height} pixels is more '
            f'than the {MAX_IMAGE_PIXELS} this tool decodes. Fix: resize it')
    try:
        image = mmcv.imread(path, flag='color', channel_order='bgr')
    except OSError as e:
        raise InputError(f'cannot read image {path} ({e})') from e
    except Exception as e:  # noqa: BLE001  (decoder errors, re-explained)
        raise InputError(f'cannot read image {path}: not an image OpenCV '
                         f'can decode, or the file is corrupt ({e})') from e
    if image is None or image.size == 0:
        raise InputError(f'cannot read image {path}: not an image OpenCV can '
                         'decode, or the file is corrupt')
    return image


def open_video(path: str) -> mmcv.VideoReader:
    """A ``mmcv.VideoReader`` of a video whose first frame decodes.

    Raises:
        FileNotFoundError: The file does not exist.
        InputError: No frame can be decoded.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'video not found: {path}')
    video = mmcv.VideoReader(path)
    if video.read() is None:
        raise InputError(f'cannot read video {path}: no frame could be '
                         'decoded (corrupt file, or a codec that OpenCV\'s '
                         'FFmpeg does not support: convert it, e.g. '
                         '`ffmpeg -i IN -c:v libx264 OUT.mp4`)')
    return video


def check_outside_drawings(folder: str, vis_out_dir: str) -> None:
    """Refuse an input folder that is the drawings folder or inside it."""
    if not vis_out_dir:
        return
    vis, here = osp.realpath(vis_out_dir), osp.realpath(folder)
    if _inside(here, vis):
        raise InputError(
            f'the drawings would overwrite the inputs in {folder} (the '
            f'drawings folder {vis_out_dir} holds it): choose another '
            '--out-dir / vis_out_dir')


def check_not_overwritten(path: str, name: str, vis_out_dir: str) -> None:
    """Refuse to draw ``vis_out_dir/name`` over the input ``path``."""
    if vis_out_dir and osp.realpath(osp.join(vis_out_dir,
                                             name)) == osp.realpath(path):
        raise InputError(f'the drawing of {path} would overwrite it: choose '
                         'another --out-dir / vis_out_dir')


def image_records(paths: Sequence[str],
                  root: str,
                  vis_out_dir: str = '') -> List[dict]:
    """What the inferencer knows of each image file.

    Args:
        paths (Sequence[str]): The image files.
        root (str): The folder their names are relative to (the input
            folder, or the common folder of a list of files).
        vis_out_dir (str): The drawings folder ('' for none): no drawing
            may replace an input.

    Returns:
        list[dict]: Per image ``path``, ``name`` (relative to ``root``, ``/``
        separated: the name of its drawing and the ``image`` of its JSON),
        ``pred_name`` (its JSON file, :func:`prediction_names`) and
        ``keys`` (the keys its boxes may be given under: name, path, file
        name).
    """
    names = [osp.relpath(p, root or '.').replace(os.sep, '/') for p in paths]
    json_names = prediction_names(names)
    records = []
    for path, name in zip(paths, names):
        check_not_overwritten(path, name, vis_out_dir)
        records.append(
            dict(
                path=path,
                name=name,
                pred_name=json_names[name],
                keys=[name,
                      path.replace(os.sep, '/'),
                      osp.basename(name)]))
    return records


def list_records(inputs: Sequence, vis_out_dir: str = '') -> list:
    """A list of image files and arrays as the inferencer takes it: arrays
    as they are, files as :func:`image_records`, named relative to the
    folder they all are in."""
    paths = [osp.abspath(p) for p in inputs if not isinstance(p, np.ndarray)]
    if not paths:
        return list(inputs)
    root = osp.commonpath([osp.dirname(p) for p in paths])
    records = iter(image_records(paths, root, vis_out_dir))
    return [p if isinstance(p, np.ndarray) else next(records) for p in inputs]


def find_inputs(path: str,
                vis_out_dir: str = '',
                pred_out_dir: str = '') -> Tuple[str, List[str]]:
    """What a path given as input holds.

    Args:
        path (str): An image, a folder of images or a video.
        vis_out_dir (str): The drawings folder ('' for none).
        pred_out_dir (str): The JSON folder ('' for none).

    Returns:
        tuple[str, list[str]]: The kind (:func:`input_kind`) and the image
        files (the image itself; a folder's images, recursively, the output
        folders excluded; none for a video).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        InputError: Unsupported file, empty folder, or a folder the
            drawings would be written into.
    """
    kind = input_kind(path)
    if kind == 'image':
        return kind, [path]
    if kind == 'video':
        return kind, []
    check_outside_drawings(path, vis_out_dir)
    rels = list_images(path, exclude=(vis_out_dir, pred_out_dir))
    return kind, [osp.join(path, rel) for rel in rels]


def load_input(input,
               index: int,
               video_name: Optional[str] = None) -> Tuple[np.ndarray, dict]:
    """Read (or check) one input of ``FashionLandmarkInferencer``.

    Args:
        input (dict | np.ndarray): An image record (``image_records``,
            ``list_records``) or a BGR array (a video frame when
            ``video_name`` is given).
        index (int): Its index among the inputs.
        video_name (str, optional): The video the frame belongs to.

    Returns:
        tuple[np.ndarray, dict]: The BGR image and its names: ``img_path``,
        ``img_name`` and ``pred_name`` (the JSON file) or ``frame``.
    """
    if isinstance(input, dict):
        return read_image(input['path']), dict(
            img_path=input['path'],
            img_name=input['name'],
            pred_name=input['pred_name'])
    image = check_image(input)
    if video_name is not None:
        return image, dict(
            img_path=video_name,
            img_name=f'{video_name} frame {index + 1}',
            frame=index + 1)
    name = f'{index}.jpg'.rjust(10, '0')  # as MMPose names arrays
    return image, dict(
        img_path=name,
        img_name=name,
        pred_name=osp.splitext(name)[0] + '.json')
