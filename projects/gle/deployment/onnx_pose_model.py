"""A GLE pose model exported to ONNX, run by onnxruntime and decoded with
the config's codec."""
from typing import Optional, Sequence, Tuple

import numpy as np

from .base_onnx_model import BaseONNXModel
from .topdown_preprocessor import TopdownPreprocessor


def flip_heatmaps_np(heatmaps: np.ndarray,
                     flip_indices: Sequence[int],
                     shift_heatmap: bool = False) -> np.ndarray:
    """numpy twin of ``mmpose.models.utils.tta.flip_heatmaps`` with
    ``flip_mode='heatmap'``: mirror the heatmaps of a horizontally flipped
    input and swap the left/right channels.

    Args:
        heatmaps (np.ndarray): (N, K, H, W) heatmaps of flipped inputs.
        flip_indices (Sequence[int]): The symmetric keypoint of each
            keypoint (the dataset metainfo's ``flip_indices``).
        shift_heatmap (bool): Shift the result one pixel right (for
            heatmaps at a stride > 1). Defaults to False.

    Returns:
        np.ndarray: (N, K, H, W) heatmaps aligned with the unflipped input.
    """
    if len(flip_indices) != heatmaps.shape[1]:
        raise ValueError(f'{len(flip_indices)} flip_indices for '
                         f'{heatmaps.shape[1]} heatmaps')
    flipped = heatmaps[..., ::-1][:, list(flip_indices)]
    if shift_heatmap:
        flipped[..., 1:] = flipped[..., :-1].copy()
    return flipped


class ONNXPoseModel(BaseONNXModel):
    """Top-down pose model exported by ``tools/deployment/pytorch2onnx.py``,
    run with onnxruntime.

    The graph maps the normalised batch (N, 3, h, w) to heatmaps
    (N, K, H, W), i.e. ``model(inputs, None, mode='tensor')``. Everything
    around it follows the PyTorch model and reads its settings from the
    file's metadata: preprocessing (:class:`TopdownPreprocessor`), the flip
    test of ``model.test_cfg`` (``flip_mode='heatmap'``: the mirrored
    batch's heatmaps are flipped back, left/right swapped with the
    metainfo's ``flip_indices`` and averaged with the plain ones, as
    ``HeatmapHead.predict``) and decoding with the config's codec
    (``model.head.decoder``, built from mmpose's ``KEYPOINT_CODECS``, called
    per sample as ``BaseHead.decode`` does), so a codec change in the config
    (e.g. pair-aware decoding) is used by the exported model too.

    Example::

        model = ONNXPoseModel('gle.onnx', num_threads=1)
        keypoints, scores = model.predict_image(img, bboxes)

    Args:
        onnx_file (str): The exported pose model.
        **kwargs: ``num_threads`` and ``providers`` of
            :class:`BaseONNXModel`.
    """

    TASK = 'pose'

    def __init__(self, onnx_file: str, **kwargs) -> None:
        from mmpose.registry import KEYPOINT_CODECS

        import gle.codecs  # noqa: F401  (registers the project's codecs)

        super().__init__(onnx_file, **kwargs)
        meta = self.meta
        self.preprocessor = TopdownPreprocessor(**meta['preprocess'])
        self.test_cfg = dict(meta['test_cfg'])
        self.dataset_meta = dict(meta['dataset_meta'])
        self.codec = KEYPOINT_CODECS.build(dict(meta['decoder']))
        if self.codec.support_batch_decoding:
            raise ValueError(
                f'{onnx_file}: the codec {type(self.codec).__name__} decodes '
                'batches of torch tensors; the onnxruntime model decodes '
                'with per-sample numpy codecs (MSRAHeatmap, '
                'ExpDistanceHeatmap, ...)')
        if self.test_cfg.get('flip_test', False):
            mode = self.test_cfg.get('flip_mode', 'heatmap')
            if mode != 'heatmap':
                raise ValueError(f"{onnx_file}: flip_mode {mode!r}; only "
                                 "'heatmap' is supported")

    @property
    def num_keypoints(self) -> int:
        """Number of heatmaps K."""
        return int(self.dataset_meta['num_keypoints'])

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """Run the graph.

        Args:
            inputs (np.ndarray): Normalised batch (N, 3, h, w), float32.

        Returns:
            np.ndarray: Heatmaps (N, K, H, W), float32.
        """
        inputs = self.check_inputs(inputs)
        if inputs.shape[0] == 0:
            return np.zeros(
                (0, self.num_keypoints) +
                tuple(self.meta['heatmap_size'][::-1]),
                dtype=np.float32)
        return self.run(inputs)[0]

    __call__ = forward

    def predict_heatmaps(self,
                         inputs: np.ndarray,
                         flip_test: Optional[bool] = None) -> np.ndarray:
        """Heatmaps with the config's flip test.

        Args:
            inputs (np.ndarray): Normalised batch (N, 3, h, w).
            flip_test (bool, optional): Override ``test_cfg.flip_test``.

        Returns:
            np.ndarray: (N, K, H, W); with the flip test the average of the
            plain and the flipped-back heatmaps, ``(a + b) * 0.5``.
        """
        if flip_test is None:
            flip_test = self.test_cfg.get('flip_test', False)
        if not flip_test:
            return self.forward(inputs)
        n = len(inputs)
        both = self.forward(np.concatenate([inputs, inputs[..., ::-1]]))
        flipped = flip_heatmaps_np(both[n:], self.dataset_meta['flip_indices'],
                                   self.test_cfg.get('shift_heatmap', False))
        return (both[:n] + flipped) * 0.5

    def decode(self, heatmaps: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode heatmaps with the codec, one sample at a time.

        Args:
            heatmaps (np.ndarray): (N, K, H, W).

        Returns:
            tuple:
            - keypoints (np.ndarray): (N, K, 2), input pixels.
            - scores (np.ndarray): (N, K).
        """
        keypoints, scores = [], []
        for hm in heatmaps:
            kpts, score = self.codec.decode(hm)
            if isinstance(score, tuple) and len(score) == 2:
                score = score[0]  # (scores, visibility)
            keypoints.append(kpts[0])
            scores.append(score[0])
        k = self.num_keypoints
        if not keypoints:
            return np.zeros((0, k, 2), np.float32), np.zeros((0, k),
                                                             np.float32)
        return np.stack(keypoints), np.stack(scores)

    def predict(self,
                inputs: np.ndarray,
                flip_test: Optional[bool] = None
                ) -> Tuple[np.ndarray, np.ndarray]:
        """Keypoints of a normalised batch, in the input frame.

        Args:
            inputs (np.ndarray): Normalised batch (N, 3, h, w).
            flip_test (bool, optional): Override ``test_cfg.flip_test``.

        Returns:
            tuple: keypoints (N, K, 2) in input pixels and scores (N, K).
        """
        return self.decode(self.predict_heatmaps(inputs, flip_test))

    def predict_image(self,
                      img: np.ndarray,
                      bboxes: Optional[np.ndarray] = None,
                      flip_test: Optional[bool] = None
                      ) -> Tuple[np.ndarray, np.ndarray]:
        """Keypoints of the boxes of one image, in image pixels (what
        ``mmpose.apis.inference_topdown`` returns as ``pred_instances``).

        Args:
            img (np.ndarray): BGR image (H, W, 3) as ``cv2.imread`` returns
                (or grayscale (H, W)).
            bboxes (np.ndarray, optional): (N, 4) ``x1, y1, x2, y2`` boxes.
                None: the whole image.
            flip_test (bool, optional): Override ``test_cfg.flip_test``.

        Returns:
            tuple:
            - keypoints (np.ndarray): (N, K, 2) float32, image pixels.
            - scores (np.ndarray): (N, K) float32.
        """
        inputs, centers, scales = self.preprocessor(img, bboxes)
        keypoints, scores = self.predict(inputs, flip_test)
        keypoints = self.preprocessor.keypoints_to_image(
            keypoints, centers, scales)
        return keypoints, scores.astype(np.float32)
