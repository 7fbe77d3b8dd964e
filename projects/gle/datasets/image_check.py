"""Image files decoded the way training decodes them.

``tools/misc/check_fashion_dataset.py`` probes every listed image with
:func:`probe_image`; the datasets call :func:`explain_image_failure` when
their pipeline fails, so that a bad file is reported as such instead of as
mmpose's "Please check whether the file exists".
"""
import os.path as osp
from typing import NamedTuple

from mmcv.transforms import LoadImageFromFile
from PIL import Image

from .image_file_error import ImageFileError

#: mmpose's ``LoadImage`` with the configs' (default) arguments decodes
#: through this transform: ``mmengine.fileio.get`` + ``mmcv.imfrombytes``
#: (cv2, 3 channels)
_LOAD_AS_TRAINING = LoadImageFromFile()

#: PIL modes of single-channel images (cv2 loads them as 3 channels)
_GRAY_MODES = frozenset(('1', 'L', 'LA', 'I', 'I;16', 'F'))

#: what each probe status means, as "the image file ..."
IMAGE_PROBLEMS = {
    'missing':
    'is missing',
    'empty':
    'is empty (0 bytes)',
    'unreadable':
    'is unreadable: the decoder of the training pipeline (mmpose '
    'LoadImage -> mmcv.imfrombytes) cannot decode it; the file is truncated '
    'or corrupt',
}

#: how to fix each status
IMAGE_FIXES = {
    'missing':
    'check data_root / data_prefix and that img/ is extracted (see '
    'docs/data_preparation.md)',
    'empty':
    're-extract the image from the benchmark\'s img.zip (an interrupted '
    'copy or download leaves such files) or remove its rows from the list '
    'files; tools/misc/check_fashion_dataset.py lists every bad image',
    'unreadable':
    're-extract the image from the benchmark\'s img.zip (an interrupted '
    'copy or download leaves such files) or remove its rows from the list '
    'files; tools/misc/check_fashion_dataset.py lists every bad image',
}


class ImageProbe(NamedTuple):
    """What :func:`probe_image` found.

    Attributes:
        status (str): ``'ok'``, ``'gray'`` (decodes; single channel on
            disk), ``'missing'``, ``'empty'`` or ``'unreadable'``.
        width (int): Decoded width (0 unless ``ok`` / ``gray``).
        height (int): Decoded height (0 unless ``ok`` / ``gray``).
        detail (str): The decoder's error for ``unreadable``.
    """
    status: str
    width: int = 0
    height: int = 0
    detail: str = ''


def probe_image(path: str) -> ImageProbe:
    """Load one local image as the training pipeline does.

    Args:
        path (str): The image file.

    Returns:
        ImageProbe: Its status and decoded size.
    """
    if not osp.isfile(path):
        return ImageProbe('missing')
    if osp.getsize(path) == 0:
        return ImageProbe('empty')
    try:
        results = _LOAD_AS_TRAINING(dict(img_path=path))
    except Exception as e:  # noqa: BLE001  (any decoder error: reported)
        return ImageProbe('unreadable', detail=f'{type(e).__name__}: {e}')
    height, width = results['img_shape']
    return ImageProbe('gray' if _is_gray(path) else 'ok', width, height)


def _is_gray(path: str) -> bool:
    """Single channel on disk, from the header (no second decode)."""
    try:
        with Image.open(path) as img:
            return img.mode in _GRAY_MODES
    except Exception:  # noqa: BLE001  (cv2 decodes formats PIL may not)
        return False


def explain_image_failure(path: str, error: BaseException) -> None:
    """Raise a clear :class:`ImageFileError` when the image file is why the
    pipeline failed; return otherwise (the caller re-raises ``error``).

    Args:
        path (str): The sample's ``img_path``.
        error (BaseException): What the pipeline raised.

    Raises:
        ImageFileError: The local image is missing, empty or undecodable.
    """
    if not isinstance(path, str) or '://' in path:
        return
    status = probe_image(path).status
    if status in IMAGE_PROBLEMS:
        raise ImageFileError(f'{path}: the image file {IMAGE_PROBLEMS[status]}'
                             f'. Fix: {IMAGE_FIXES[status]}') from error
