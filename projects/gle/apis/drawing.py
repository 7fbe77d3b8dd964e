"""Draw a fashion-landmark result with mmpose's ``PoseLocalVisualizer``."""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmengine.structures import InstanceData

#: name of the shared visualizer instance (mmengine's ManagerMixin)
VISUALIZER_NAME = 'gle_fashion_landmarks'
#: box colour (RGB) of items of unknown clothes type
UNKNOWN_TYPE_COLOR = (200, 200, 200)


def default_palette() -> Dict[str, Tuple[int, int, int]]:
    """Clothes type -> box colour (RGB), from ``FashionDetDataset``'s
    metainfo (the detector's classes)."""
    from ..detection import FashionDetDataset
    meta = FashionDetDataset.METAINFO
    return {
        name: tuple(int(c) for c in color)
        for name, color in zip(meta['classes'], meta['palette'])
    }


def palette_from_detector(det_model) -> Dict[str, Tuple[int, int, int]]:
    """Clothes type -> box colour from a detector's ``dataset_meta`` when it
    has a list palette for its classes, else :func:`default_palette`."""
    palette = default_palette()
    meta = getattr(det_model, 'dataset_meta', None) or {}
    colors = meta.get('palette')
    if isinstance(colors, (list, tuple)):
        for name, color in zip(meta.get('classes', ()), colors):
            if name in palette:
                palette[name] = tuple(int(c) for c in color)
    return palette


def draw_fashion_landmarks(image: np.ndarray,
                           result: dict,
                           dataset_meta: dict,
                           palette: Optional[Dict[str, Sequence[int]]] = None,
                           kpt_thr: float = 0.3,
                           radius: int = 3,
                           thickness: int = 2) -> np.ndarray:
    """Draw boxes (labelled with clothes type and score) and landmarks.

    Landmark and link colours come from the pose ``dataset_meta``
    (``configs/_base_/datasets/gle_fashion_landmarks.py``: left landmarks
    yellow, right landmarks red); absent slots and landmarks scoring below
    ``kpt_thr`` are not drawn. Box colours come from ``palette``.

    Args:
        image (np.ndarray): The BGR image the result belongs to.
        result (dict): From ``inference_fashion_landmarks``.
        dataset_meta (dict): The pose model's ``dataset_meta``.
        palette (dict, optional): Clothes type -> RGB box colour; defaults to
            :func:`default_palette`.
        kpt_thr (float): Minimum landmark score drawn. Default: 0.3.
        radius (int): Landmark radius. Default: 3.
        thickness (int): Box and link line width. Default: 2.

    Returns:
        np.ndarray: The drawn image, BGR, same size as ``image``.
    """
    from mmpose.structures import PoseDataSample
    from mmpose.visualization import PoseLocalVisualizer

    palette = dict(default_palette() if palette is None else palette)
    visualizer = PoseLocalVisualizer.get_instance(VISUALIZER_NAME)
    visualizer.set_dataset_meta(dataset_meta)
    visualizer.radius = radius
    visualizer.line_width = thickness

    canvas = np.ascontiguousarray(image[..., ::-1])  # the visualizer is RGB
    visualizer.set_image(canvas)
    font_size = int(np.clip(min(canvas.shape[:2]) / 25, 8, 20))
    for inst in result['instances']:
        color = tuple(
            int(c)
            for c in palette.get(inst['clothes_type'], UNKNOWN_TYPE_COLOR))
        visualizer.draw_bboxes(
            np.array([inst['bbox']], dtype=np.float32),
            edge_colors=color,
            line_widths=thickness)
        label = inst['clothes_type'] or 'item'
        if inst['det_score'] is not None:
            label += f' {inst["det_score"]:.2f}'
        x1, y1 = inst['bbox'][:2]
        # dark text on light boxes
        luminance = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]
        visualizer.draw_texts(
            label,
            np.array([max(x1, 0), max(y1, font_size)]),
            font_sizes=font_size,
            colors=(0, 0, 0) if luminance > 150 else (255, 255, 255),
            vertical_alignments='bottom',
            bboxes=[dict(facecolor=color)])
    canvas = visualizer.get_image()

    n = len(result['instances'])
    num_keypoints = dataset_meta['num_keypoints']
    keypoints = np.zeros((n, num_keypoints, 2), dtype=np.float32)
    # absent slots are below any threshold: never drawn
    visible = np.full((n, num_keypoints), -np.inf, dtype=np.float32)
    for i, inst in enumerate(result['instances']):
        for k, lm in enumerate(inst['landmarks']):
            if lm['present']:
                keypoints[i, k] = lm['x'], lm['y']
                visible[i, k] = lm['score']
    sample = PoseDataSample()
    sample.pred_instances = InstanceData(
        keypoints=keypoints, keypoints_visible=visible)
    drawn = visualizer.add_datasample(
        'result',
        canvas,
        sample,
        draw_gt=False,
        draw_bbox=False,
        kpt_thr=kpt_thr)
    return np.ascontiguousarray(drawn[..., ::-1])
