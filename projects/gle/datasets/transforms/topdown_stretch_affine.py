"""Crop the box and stretch it to the model input, as the GLE paper does."""
from typing import Dict, Optional

import cv2
import numpy as np
from mmpose.datasets.transforms import TopdownAffine
from mmpose.registry import TRANSFORMS
from mmpose.structures.bbox import get_udp_warp_matrix, get_warp_matrix


@TRANSFORMS.register_module()
class TopdownStretchAffine(TopdownAffine):
    """Warp the bbox region to ``input_size`` WITHOUT keeping its aspect ratio.

    The GLE paper (and its authors' code) resizes the ground-truth clothing box
    to 224x224 directly, so a tall dress and a wide skirt both fill the input.
    mmpose's :class:`TopdownAffine` always pads the box to the input aspect
    ratio first; this subclass skips that step and builds an anisotropic warp
    (x scaled by ``input_w / box_w``, y by ``input_h / box_h``), with rotation
    still supported.

    ``transform`` repeats the warp of ``TopdownAffine.transform``, which
    always pads the box to the input aspect ratio and warps with
    ``get_warp_matrix(fix_aspect_ratio=True)``, with no option to skip either.

    ``input_scale`` keeps the un-padded (w, h), so mmpose's
    ``TopdownPoseEstimator.add_pred_to_datasample`` maps predictions back to
    the original image per axis without any change.

    Required Keys: img, bbox_center, bbox_scale, bbox_rotation (optional),
    keypoints (optional).

    Modified Keys: img

    Added Keys: input_size, input_center, input_scale, transformed_keypoints

    Args:
        input_size (Tuple[int, int]): model input size ``(w, h)``.
        use_udp (bool): use the unbiased (UDP) warp. Must match the codec (use
            ``UDPHeatmap`` with ``use_udp=True``). Defaults to ``False``.
    """

    def transform(self, results: Dict) -> Optional[dict]:
        w, h = self.input_size
        assert results['bbox_center'].shape[0] == 1, (
            'TopdownStretchAffine handles one instance per sample, got '
            f'bbox_center of shape {results["bbox_center"].shape}')
        center = results['bbox_center'][0]
        scale = results['bbox_scale'][0]
        if np.any(scale <= 0):
            raise ValueError(
                f'TopdownStretchAffine: empty bbox (w, h) = {tuple(scale)} '
                f'for {results.get("img_path", "<unknown image>")}; remove '
                'degenerate boxes from the annotations '
                '(tools/misc/check_fashion_dataset.py lists them)')
        rot = results['bbox_rotation'][0] if 'bbox_rotation' in results else 0.

        if self.use_udp:
            warp_mat = get_udp_warp_matrix(
                center, scale, rot, output_size=(w, h))
        else:
            warp_mat = get_warp_matrix(
                center, scale, rot, output_size=(w, h), fix_aspect_ratio=False)

        imgs = results['img']
        warp = lambda im: cv2.warpAffine(  # noqa: E731
            im,
            warp_mat, (int(w), int(h)),
            flags=cv2.INTER_LINEAR)
        results['img'] = [warp(im) for im in imgs] if isinstance(imgs, list) \
            else warp(imgs)

        if results.get('keypoints', None) is not None:
            transformed = results['keypoints'].copy()
            transformed[..., :2] = cv2.transform(results['keypoints'][..., :2],
                                                 warp_mat)
            results['transformed_keypoints'] = transformed
        else:
            results['transformed_keypoints'] = np.zeros([])
            results['keypoints_visible'] = np.ones((1, 1, 1))

        results['input_size'] = (w, h)
        results['input_center'] = center
        results['input_scale'] = scale
        return results
