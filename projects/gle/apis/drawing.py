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
                           sample,
                           dataset_meta: dict,
                           palette: Optional[Dict[str, Sequence[int]]] = None,
                           kpt_thr: float = 0.3,
                           radius: int = 3,
                           thickness: int = 2,
                           visualizer=None) -> np.ndarray:
    """Draw boxes (labelled with clothes type and score) and landmarks.

    Landmark and link colours come from the pose ``dataset_meta``
    (``gle.datasets.FASHION_METAINFO``: left landmarks
    yellow, right landmarks red); absent slots and landmarks scoring below
    ``kpt_thr`` are not drawn. Box colours come from ``palette``.

    Args:
        image (np.ndarray): The BGR image the result belongs to, shape
            (H, W, 3).
        sample (PoseDataSample): A result of ``FashionLandmarkInferencer``
            (``return_datasamples=True``): ``pred_instances`` with
            ``keypoints`` (N, K, 2), ``keypoint_scores`` (N, K),
            ``keypoints_present`` (N, K), ``bboxes`` (N, 4), ``bbox_scores``
            (N, ) (NaN: no score) and ``clothes_types``.
        dataset_meta (dict): The pose model's ``dataset_meta``.
        palette (dict, optional): Clothes type -> RGB box colour; defaults to
            :func:`default_palette`.
        kpt_thr (float): Minimum landmark score drawn. Default: 0.3.
        radius (int): Landmark radius. Default: 3.
        thickness (int): Box and link line width. Default: 2.
        visualizer (PoseLocalVisualizer, optional): The visualizer to draw
            with (the inferencer's, built from the config); by default a
            shared ``PoseLocalVisualizer``.

    Returns:
        np.ndarray: The drawn image, BGR, same size as ``image``.
    """
    from mmpose.structures import PoseDataSample
    from mmpose.visualization import PoseLocalVisualizer

    palette = dict(default_palette() if palette is None else palette)
    if visualizer is None:
        visualizer = PoseLocalVisualizer.get_instance(VISUALIZER_NAME)
    visualizer.set_dataset_meta(dataset_meta)
    visualizer.radius = radius
    visualizer.line_width = thickness

    instances = sample.pred_instances
    canvas = np.ascontiguousarray(image[..., ::-1])  # the visualizer is RGB
    visualizer.set_image(canvas)
    font_size = int(np.clip(min(canvas.shape[:2]) / 25, 8, 20))
    for bbox, score, ctype in zip(instances.bboxes, instances.bbox_scores,
                                  instances.clothes_types):
        color = tuple(int(c) for c in palette.get(ctype, UNKNOWN_TYPE_COLOR))
        bbox = [round(float(v), 2) for v in bbox]
        visualizer.draw_bboxes(
            np.array([bbox], dtype=np.float32),
            edge_colors=color,
            line_widths=thickness)
        label = ctype or 'item'
        if not np.isnan(score):
            label += f' {round(float(score), 4):.2f}'
        x1, y1 = bbox[:2]
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

    # what the JSON says (rounded as there); absent slots are below any
    # threshold: never drawn
    n, num_keypoints = len(instances), dataset_meta['num_keypoints']
    keypoints = np.zeros((n, num_keypoints, 2), dtype=np.float32)
    visible = np.full((n, num_keypoints), -np.inf, dtype=np.float32)
    for i, k in zip(*np.nonzero(instances.keypoints_present)):
        keypoints[i, k] = [
            round(float(v), 2) for v in instances.keypoints[i, k, :2]
        ]
        visible[i, k] = round(float(instances.keypoint_scores[i, k]), 4)
    drawn_sample = PoseDataSample()
    drawn_sample.pred_instances = InstanceData(
        keypoints=keypoints, keypoints_visible=visible)
    drawn = visualizer.add_datasample(
        'result',
        canvas,
        drawn_sample,
        draw_gt=False,
        draw_bbox=False,
        kpt_thr=kpt_thr)
    return np.ascontiguousarray(drawn[..., ::-1])
