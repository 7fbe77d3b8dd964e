"""Exponential-distance heatmap target of the GLE authors' code."""
from typing import Optional, Tuple

import numpy as np
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.codecs.utils import get_heatmap_maximum, refine_keypoints
from mmpose.registry import KEYPOINT_CODECS


@KEYPOINT_CODECS.register_module()
class ExpDistanceHeatmap(BaseKeypointCodec):
    """Encode each keypoint as ``exp(-d / tau)``, ``d`` the Euclidean (not
    squared) pixel distance to the keypoint: a sharper peak with heavier
    tails than a Gaussian. This is the target of the GLE authors' code
    (``tau = 16`` at 224x224).

    Pixel ``(i, j)`` of the heatmap is the point ``(i, j)`` (mmpose's
    convention: integer coordinates are pixel centres), so the value is
    exactly 1 where a keypoint lies on a pixel centre. A keypoint that is
    invisible (visibility < 0.5) or outside the heatmap
    (``[-0.5, W - 0.5) x [-0.5, H - 0.5)``) gets an all-zero channel and
    weight 0. Several instances are merged by maximum, as in MSRAHeatmap.

    Decoding is MSRAHeatmap's (argmax plus a quarter-pixel shift towards the
    larger neighbour), scaled back to the input size.

    Note:

        - instance number: N
        - keypoint number: K
        - keypoint dimension: D
        - image size: [w, h]
        - heatmap size: [W, H]

    Encoded:

        - heatmaps (np.ndarray): (K, H, W), values in [0, 1]
        - keypoint_weights (np.ndarray): (N, K)

    Args:
        input_size (tuple): Image size in [w, h].
        heatmap_size (tuple): Heatmap size in [W, H].
        tau (float): Decay length in heatmap pixels. Defaults to 16.
    """

    label_mapping_table = dict(keypoint_weights='keypoint_weights')
    field_mapping_table = dict(heatmaps='heatmaps')

    def __init__(self,
                 input_size: Tuple[int, int],
                 heatmap_size: Tuple[int, int],
                 tau: float = 16.0) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'tau must be positive, got {tau}')
        self.input_size = input_size
        self.heatmap_size = heatmap_size
        self.tau = tau
        self.scale_factor = (np.array(input_size) /
                             heatmap_size).astype(np.float32)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints given in the input image space.

        Args:
            keypoints (np.ndarray): Keypoint coordinates in shape (N, K, D).
            keypoints_visible (np.ndarray, optional): Visibility in shape
                (N, K). Defaults to all visible.

        Returns:
            dict:
            - heatmaps (np.ndarray): (K, H, W), float32
            - keypoint_weights (np.ndarray): (N, K), float32
        """
        N, K = keypoints.shape[:2]
        W, H = self.heatmap_size
        if keypoints_visible is None:
            keypoints_visible = np.ones((N, K), dtype=np.float32)

        points = keypoints[..., :2] / self.scale_factor
        inside = ((points[..., 0] >= -0.5) & (points[..., 0] < W - 0.5)
                  & (points[..., 1] >= -0.5) & (points[..., 1] < H - 0.5))
        keypoint_weights = np.where(inside, keypoints_visible,
                                    0).astype(np.float32)

        heatmaps = np.zeros((K, H, W), dtype=np.float32)
        xs = np.arange(W, dtype=np.float32)
        ys = np.arange(H, dtype=np.float32)[:, None]
        for n in range(N):
            for k in range(K):
                if keypoint_weights[n, k] < 0.5:
                    continue
                x, y = points[n, k]
                dist = np.sqrt((xs - x)**2 + (ys - y)**2)
                np.maximum(
                    heatmaps[k], np.exp(-dist / self.tau), out=heatmaps[k])

        return dict(heatmaps=heatmaps, keypoint_weights=keypoint_weights)

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode heatmaps to keypoints in the input image space.

        Args:
            encoded (np.ndarray): Heatmaps in shape (K, H, W).

        Returns:
            tuple:
            - keypoints (np.ndarray): (1, K, 2)
            - scores (np.ndarray): maximum heatmap values, (1, K)
        """
        heatmaps = encoded.copy()
        keypoints, scores = get_heatmap_maximum(heatmaps)
        keypoints, scores = keypoints[None], scores[None]
        keypoints = refine_keypoints(keypoints, heatmaps)
        return keypoints * self.scale_factor, scores
