"""The GLE pose model exported to ONNX, in the place of the PyTorch
``TopdownPoseEstimator`` in ``FashionLandmarkInferencer``."""
from typing import Optional

import numpy as np
import torch.nn as nn
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.structures import PoseDataSample

from ...datasets.fashion_layout import NUM_LANDMARKS
from .onnx_files import check_export_fits_config, load_onnx_pose_model


def check_heatmap_config(cfg: Config) -> None:
    """Raise unless ``cfg`` builds a top-down model with a heatmap head that
    predicts as mmpose's ``HeatmapHead`` (what the onnxruntime backend
    reproduces; the same rule as ``TorchHeatmapModel``'s)."""
    from mmpose.models.heads import HeatmapHead
    from mmpose.registry import MODELS

    model = cfg.get('model') or {}
    if model.get('type') != 'TopdownPoseEstimator':
        raise ValueError(
            f'{cfg.filename} builds a {model.get("type")}, not a '
            'TopdownPoseEstimator: use a GLE fashion-landmark config '
            '(configs/gle/)')
    head = MODELS.get(model.head.get('type'))
    if not (isinstance(head, type) and issubclass(head, HeatmapHead)
            and head.predict is HeatmapHead.predict):
        raise ValueError(
            f'the pose model of {cfg.filename} has head '
            f'{model.head.get("type")}: the fashion-landmark inferencer runs '
            'heatmap heads (mmpose HeatmapHead and subclasses that keep its '
            'predict(), e.g. FullResHeatmapHead)')


class ONNXPoseEstimator(nn.Module):
    """A pose config's model run from its ONNX export: what the inferencer's
    ``self.model`` is with ``backend='onnxruntime'``.

    Everything around the network comes from the config, as with the
    PyTorch model: the keypoint metainfo (``dataset_meta``, as
    ``mmpose.apis.init_model`` reads it), the test pipeline reproduced in
    cv2/numpy (:class:`gle.deployment.TopdownPreprocessor`: crop, BGR ->
    RGB, ``(x - mean) / std``), ``test_cfg`` (flip test) and the head's
    decoder (``codec``, mmpose's ``KEYPOINT_CODECS``). The file must have
    been exported from a model of this config (same input, normalisation,
    decoder, flip test and keypoints), else an error names the file and the
    differences. The network itself is ``runtime``
    (:class:`gle.deployment.ONNXPoseModel`, numpy crops in, numpy heatmaps
    out).

    An ``nn.Module`` without parameters (as mmdeploy's backend models are)
    only so that ``Pose2DInferencer``'s bookkeeping of ``self.model``
    (``revert_sync_batchnorm``, ``test_cfg``, ``dataset_meta``) works as it
    is; it runs no PyTorch operator.

    Args:
        cfg (Config): The pose config (configs/gle/).
        onnx_file (str): Its model exported by
            tools/deployment/pytorch2onnx.py.
        num_threads (int, optional): onnxruntime intra-op threads. None:
            onnxruntime's default (one per physical core).

    Attributes:
        cfg (Config): The config.
        dataset_meta (dict): Its keypoint metainfo.
        test_cfg (dict): Its ``model.test_cfg``.
        codec: Its head's decoder.
        preprocessor (TopdownPreprocessor): Its test pipeline in numpy.
        runtime (ONNXPoseModel): The network:
            ``runtime(crops (N, 3, H, W)) -> heatmaps (N, K, h, w)``.
    """

    def __init__(self,
                 cfg: Config,
                 onnx_file: str,
                 num_threads: Optional[int] = None) -> None:
        super().__init__()
        from mmpose.apis.inference import dataset_meta_from_config
        from mmpose.registry import KEYPOINT_CODECS

        import gle.codecs  # noqa: F401  (registers the project's codecs)
        from gle.deployment import TopdownPreprocessor

        check_heatmap_config(cfg)
        self.cfg = cfg
        self.preprocessor = TopdownPreprocessor.from_config(cfg)
        self.dataset_meta = dataset_meta_from_config(cfg, dataset_mode='train')
        num = (self.dataset_meta or {}).get('num_keypoints')
        if num != NUM_LANDMARKS:
            raise ValueError(
                f'the pose model of {cfg.filename} predicts {num} '
                f'keypoints, the fashion layout has {NUM_LANDMARKS}: use a '
                'GLE fashion-landmark config (configs/gle/)')
        self.test_cfg = dict(cfg.model.get('test_cfg') or {})
        self.runtime = load_onnx_pose_model(onnx_file, num_threads)
        check_export_fits_config(self.runtime, cfg,
                                 self.preprocessor.to_dict(),
                                 self.dataset_meta)
        # equal to the decoder stored in the file (checked above)
        self.codec = KEYPOINT_CODECS.build(cfg.model.head.decoder)

    @property
    def onnx_file(self) -> str:
        return self.runtime.onnx_file

    def pack(self, data_info: dict) -> dict:
        """The test pipeline of one box, in cv2/numpy: what the config's
        ``LoadImage``, ``GetBBoxCenterScale``, affine and ``PackPoseInputs``
        followed by its ``PoseDataPreprocessor`` give.

        Args:
            data_info (dict): ``img`` (BGR (H, W, 3)), ``img_path``,
                ``bbox`` (1, 4) float32 xyxy, ``bbox_score`` (1, ) and the
                ``dataset_meta`` keys (``flip_indices``, ``dataset_name``).

        Returns:
            dict: ``inputs``, the normalised crop, float32 (3, H, W), and
            ``data_samples``, a ``PoseDataSample`` with the pipeline's
            metainfo (``input_center``, ``input_scale``, ``input_size`` ...)
            and ``gt_instances`` (``bboxes``, ``bbox_scores``,
            ``bbox_scales``).
        """
        img = data_info['img']
        bbox = np.asarray(data_info['bbox'], dtype=np.float32).reshape(1, 4)
        inputs, centers, scales = self.preprocessor(img, bbox)
        width, height = self.preprocessor.input_size
        sample = PoseDataSample(
            metainfo=dict(
                img_path=data_info.get('img_path'),
                ori_shape=img.shape[:2],
                img_shape=img.shape[:2],
                input_size=self.preprocessor.input_size,
                input_center=centers[0],
                input_scale=scales[0],
                flip_indices=data_info['flip_indices'],
                dataset_name=data_info.get('dataset_name'),
                batch_input_shape=(height, width),
                pad_shape=(height, width)))
        sample.gt_instances = InstanceData(
            bboxes=bbox,
            bbox_scores=np.asarray(data_info['bbox_score'],
                                   dtype=np.float32).reshape(1),
            bbox_scales=scales.astype(np.float32))
        return dict(inputs=inputs[0], data_samples=sample)
