"""Top-down fashion-landmark inference, as an MMPose inferencer.

image -> clothing boxes (detector, given boxes, or the whole image) -> the
config's test pipeline per box -> pose backend (heatmaps) -> flip test and the
config's codec -> 8 landmarks per item, the slots its clothes type does not
have marked absent -> ``PoseDataSample`` per image -> drawing and JSON.

``backend='pytorch'`` runs the config's model and checkpoint;
``backend='onnxruntime'`` runs their ONNX export with the same settings,
with cv2/numpy crops, flip test and decoding.
"""
import logging
import os.path as osp
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import mmcv
import mmengine
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.device import get_device
from mmengine.logging import print_log
from mmpose.apis.inferencers import Pose2DInferencer
from mmpose.registry import INFERENCERS
from mmpose.structures import PoseDataSample

from .backend_options import (build_detector, check_backend_args,
                              is_detector_config, note_unused_checkpoint)
from .backends import ONNXPoseEstimator, TorchHeatmapModel
from .box_input import boxes_of_input, check_given_boxes
from .detections import choose_boxes
from .drawing import (default_palette, draw_fashion_landmarks,
                      palette_from_detector)
from .inputs import (InputError, check_not_overwritten, find_inputs,
                     image_records, list_records, load_input, open_video)
from .model_init import init_pose_model
from .results import sample_to_dict
from .topdown_prediction import (crop_boxes, image_sample, predict_crops,
                                 predict_crops_numpy)
from .video_outputs import VideoOutputs

InputsType = Union[str, Path, np.ndarray, Sequence[Union[str, np.ndarray]]]


@INFERENCERS.register_module()
class FashionLandmarkInferencer(Pose2DInferencer):
    """Clothing detector + GLE landmark model on images, folders, videos.

    MMPose's ``Pose2DInferencer`` with the fashion parts: checked checkpoints
    (a checkpoint of another model is an error, see
    ``load_checkpoint_checked``), boxes with a clothes type (from the
    detector, from the caller, or the whole image), the slots a clothes type
    lacks marked absent, landmarks kept inside the image, our drawing and
    JSON (docs/inference.md). Calling it yields one result per image (or
    video frame), as MMPose's inferencers do.

    The pose forward (``heatmap_model``) and the ``detector`` are
    replaceable backends (:mod:`gle.apis.backends`; ``'onnxruntime'`` runs
    the ONNX exports, docs/deployment.md); the rest is shared.

    Example::

        >>> from gle.apis import FashionLandmarkInferencer
        >>> inferencer = FashionLandmarkInferencer(
        ...     'configs/gle/td-hm_vgg16-gle2_1xb50-30e_'
        ...     'deepfashion-c-224x224.py', 'work_dirs/gle/best_NE.pth',
        ...     det_model='configs/det/rtmdet-tiny_8xb32-100e_'
        ...     'deepfashion-c-det.py', det_weights='work_dirs/det/best.pth')
        >>> result = next(inferencer('photo.jpg'))
        >>> item = result['predictions'][0]['instances'][0]
        >>> item['clothes_type'], item['landmarks'][0]
        >>> for result in inferencer('photos/', pred_out_dir='out/pred',
        ...                          vis_out_dir='out/vis'):
        ...     pass
        >>> # the same from the ONNX exports, with onnxruntime
        >>> inferencer = FashionLandmarkInferencer(
        ...     'configs/gle/td-hm_vgg16-gle2_1xb50-30e_'
        ...     'deepfashion-c-224x224.py', backend='onnxruntime',
        ...     onnx='pose.onnx', det_onnx='det.onnx', num_threads=1)

    Args:
        model (str | Path | Config): GLE config (configs/gle/).
        weights (str): Its checkpoint (the ``'pytorch'`` backend; not read
            by ``'onnxruntime'``, which runs the weights in ``onnx``).
        device (str, optional): ``'cpu'``, ``'cuda'``, ``'cuda:1'`` ...
            Default: a GPU when there is one (``mmengine.device``); the
            ``'onnxruntime'`` backend runs on the CPU.
        scope (str): The pose model's default scope. Default: 'mmpose'.
        det_model (str | Path | Config | callable, optional): Clothing
            detector config (configs/det/), or a detector backend (see
            :class:`gle.apis.backends.TorchClothingDetector`). Without it
            (or with ``'whole_image'``) each image is one item, unless boxes
            are given.
        det_weights (str, optional): The detector checkpoint (required with
            a detector config).
        det_cat_ids (int | Sequence[int], optional): Detector labels to keep
            (all by default; ours are 0 upper, 1 lower, 2 full).
        show_progress (bool): Show a progress bar. Default: False.
        backend (str): ``'pytorch'`` (default) or ``'onnxruntime'``.
        onnx (str, optional): The pose model of ``model`` exported to ONNX
            (required by ``'onnxruntime'``; exported from another config, or
            the detector's file, is an error naming it).
        det_onnx (str, optional): The clothing detector exported to ONNX
            (``--det``), the ``'onnxruntime'`` backend's detector.
        num_threads (int, optional): onnxruntime intra-op threads of each
            model. None: onnxruntime's default (one per physical core).
    """

    preprocess_kwargs: set = {
        'bboxes', 'bbox_thr', 'nms_thr', 'fallback_whole_image', 'whole_image'
    }
    forward_kwargs: set = {'keep_outside'}
    visualize_kwargs: set = {
        'return_vis', 'show', 'wait_time', 'radius', 'thickness', 'kpt_thr',
        'vis_out_dir'
    }
    postprocess_kwargs: set = {'pred_out_dir', 'return_datasamples'}

    def __init__(self,
                 model: Union[str, Path, Config],
                 weights: Optional[str] = None,
                 device: Optional[str] = None,
                 scope: Optional[str] = 'mmpose',
                 det_model=None,
                 det_weights: Optional[str] = None,
                 det_cat_ids: Optional[Union[int, Sequence[int]]] = None,
                 show_progress: bool = False,
                 backend: str = 'pytorch',
                 onnx: Optional[str] = None,
                 det_onnx: Optional[str] = None,
                 num_threads: Optional[int] = None) -> None:
        model = str(model) if isinstance(model, Path) else model
        det_model = str(det_model) if isinstance(det_model, Path) \
            else det_model
        if isinstance(model, str) and not osp.isfile(model):
            raise FileNotFoundError(f'pose config not found: {model}')
        device = check_backend_args(
            backend,
            weights,
            device,
            det_model,
            det_weights,
            is_detector_config(det_model),
            onnx=onnx,
            det_onnx=det_onnx,
            num_threads=num_threads)
        self.backend = backend
        self._onnx = dict(onnx=onnx, det_onnx=det_onnx, threads=num_threads)
        self.skipped: List[str] = []
        self.video_info: Optional[VideoOutputs] = None
        self._vis_out_dir = ''
        self._pred_out_dir = ''
        self._several_files = False
        self.detector, self.det_cat_ids = None, None
        super().__init__(
            model=model,
            weights=weights,
            device=device or get_device(),
            scope=scope,
            det_model=det_model,
            det_weights=det_weights,
            det_cat_ids=det_cat_ids,
            show_progress=show_progress)
        self.heatmap_model = self._init_heatmap_model()
        self.palette: Dict[str, Tuple[int, int, int]] = \
            default_palette() if self.detector is None else \
            palette_from_detector(self.detector)
        meta = self.model.dataset_meta
        self.landmark_names = [
            meta['keypoint_id2name'][k] for k in range(meta['num_keypoints'])
        ]

    # ---------------------------------------------------------- the models
    def _init_model(self, cfg: Config, weights: Optional[str],
                    device: str) -> torch.nn.Module:
        """The pose model, its checkpoint strictly checked (not mmengine's
        non-strict ``_load_checkpoint_to_model``) and read inside
        ``safe_checkpoint_loading``; with onnxruntime its export, checked
        against the config (``ONNXPoseEstimator``)."""
        if self.backend == 'onnxruntime':
            model = ONNXPoseEstimator(cfg, self._onnx['onnx'],
                                      self._onnx['threads'])
            note_unused_checkpoint(weights, model.onnx_file,
                                   model.runtime.meta)
            return model
        return init_pose_model(cfg, weights, device)

    def _init_pipeline(self, cfg: Config):
        """The config's test pipeline; with onnxruntime its cv2/numpy
        version, normalisation included (``ONNXPoseEstimator.pack``)."""
        if self.backend == 'onnxruntime':
            return self.model.pack
        return super()._init_pipeline(cfg)

    def _init_collate(self, cfg: Config):
        """``pseudo_collate`` unless the config names a ``collate_fn``
        (mmengine's lookup warns that mmpose has no function registry) for
        the PyTorch model."""
        if self.backend == 'pytorch' and \
                cfg.test_dataloader.get('collate_fn') is not None:
            return super()._init_collate(cfg)
        return pseudo_collate

    def _init_heatmap_model(self):
        """The pose backend: crops (N, 3, H, W) -> heatmaps (N, K, h, w),
        Tensors (PyTorch) or float32 ndarrays (onnxruntime)."""
        if self.backend == 'onnxruntime':
            return self.model.runtime
        return TorchHeatmapModel(self.model, config=self.cfg.filename)

    def _init_detector(self,
                       det_model=None,
                       det_weights: Optional[str] = None,
                       det_cat_ids=None,
                       device: Optional[str] = None) -> None:
        """``self.detector`` (``build_detector``) and the labels kept."""
        self.detector = build_detector(det_model, det_weights, device,
                                       self._onnx['det_onnx'],
                                       self._onnx['threads'])
        self.det_cat_ids = None if det_cat_ids is None else tuple(
            np.atleast_1d(det_cat_ids).tolist())

    # -------------------------------------------------------------- inputs
    def __call__(self,
                 inputs: InputsType,
                 return_datasamples: bool = False,
                 batch_size: int = 1,
                 out_dir: Optional[str] = None,
                 **kwargs):
        """Run on ``inputs``; yields one result per image or video frame.

        Args:
            inputs: An image path, a folder (its images, recursively, the
                output folders excluded), a video path, a BGR array, or a
                list of image paths / arrays.
            return_datasamples (bool): Yield ``PoseDataSample`` objects
                instead of JSON-ready dicts. Default: False.
            batch_size (int): 1 (as MMPose's inferencers).
            out_dir (str, optional): Sets ``vis_out_dir`` to
                ``out_dir/visualizations`` and ``pred_out_dir`` to
                ``out_dir/predictions`` unless they are given.
            **kwargs: ``bboxes`` (one list of box rows per input, or a dict
                image name -> rows, see ``gle.apis.box_input``),
                ``bbox_thr`` (detection score, 0.3), ``nms_thr`` (0.3),
                ``fallback_whole_image`` (False), ``whole_image`` (False;
                True: the detector is not run, each image is one item),
                ``keep_outside`` (False: landmarks outside the image are
                clipped to its border), ``kpt_thr`` (0.3), ``radius`` (3),
                ``thickness`` (2), ``return_vis``, ``show``, ``wait_time``,
                ``vis_out_dir``, ``pred_out_dir``.

        Yields:
            dict: ``predictions``: a list with the result of the image
            (docs/inference.md JSON schema, or a ``PoseDataSample``);
            ``visualization``: the drawn images (RGB) when asked for.
        """
        if out_dir is not None:
            kwargs.setdefault('vis_out_dir', f'{out_dir}/visualizations')
            kwargs.setdefault('pred_out_dir', f'{out_dir}/predictions')
        self._vis_out_dir = kwargs.get('vis_out_dir') or ''
        self._pred_out_dir = kwargs.get('pred_out_dir') or ''
        self.skipped = []
        self.video_info = None
        try:
            yield from super().__call__(
                inputs,
                return_datasamples=return_datasamples,
                batch_size=batch_size,
                **kwargs)
        finally:
            if self.video_info is not None:
                # a finished run closed it; an interrupted one leaves no
                # truncated outputs behind
                self.video_info.close(finished=False)

    def _inputs_to_list(self, inputs: InputsType) -> list:
        """Image records (path, name, JSON name), arrays, or a video."""
        self._video_input = False
        self._several_files = False
        if isinstance(inputs, Path):
            inputs = str(inputs)
        if isinstance(inputs, np.ndarray):
            return [inputs]
        if isinstance(inputs, str):
            kind, paths = find_inputs(inputs, self._vis_out_dir,
                                      self._pred_out_dir)
            if kind == 'video':
                return self._open_video(inputs)
            self._several_files = kind == 'folder'
            root = inputs if kind == 'folder' else osp.dirname(inputs)
            return image_records(paths, root, self._vis_out_dir)
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('inputs: expected a path, a BGR array or a list '
                            f'of them, got {type(inputs).__name__}')
        self._several_files = not all(
            isinstance(p, np.ndarray) for p in inputs)
        return list_records(inputs, self._vis_out_dir)

    def _open_video(self, path: str) -> mmcv.VideoReader:
        video = open_video(path)
        check_not_overwritten(path, osp.basename(path), self._vis_out_dir)
        self._video_input = True
        self.video_info = VideoOutputs(path, video.fps or 25.0)
        return video

    def _input_keys(self, item, index: int) -> List[str]:
        """The names ``bboxes`` may give the boxes of an input under."""
        if self._video_input:
            return self.video_info.keys
        if isinstance(item, dict):
            return item['keys']
        return [f'{index}.jpg'.rjust(10, '0')]

    # --------------------------------------------------------------- boxes
    def preprocess(self,
                   inputs,
                   batch_size: int = 1,
                   bboxes=None,
                   bbox_thr: float = 0.3,
                   nms_thr: float = 0.3,
                   fallback_whole_image: bool = False,
                   whole_image: bool = False,
                   **kwargs):
        """Boxes and crops of each input; unreadable files of a folder (or a
        list) are skipped with a warning and listed in ``self.skipped``.

        Yields:
            tuple[dict, list[np.ndarray]]: The model input of one image
            (``batch``: the collated crops or None, ``meta``: the image's
            metainfo) and ``[image]`` (BGR).
        """
        keys = [self.video_info.keys] if self._video_input else [
            self._input_keys(item, i) for i, item in enumerate(inputs)
        ]
        check_given_boxes(bboxes, keys, video=self._video_input)
        for i, item in enumerate(inputs):
            given = boxes_of_input(bboxes, i,
                                   keys[0 if self._video_input else i])
            try:
                data, image = self.preprocess_single(
                    item,
                    i,
                    bboxes=given,
                    bbox_thr=bbox_thr,
                    nms_thr=nms_thr,
                    fallback_whole_image=fallback_whole_image,
                    whole_image=whole_image,
                    # a video's boxes from a dict are the same every frame
                    warn_clipped=not (self._video_input and i > 0
                                      and isinstance(bboxes, dict)))
            except (InputError, OSError) as e:
                if not self._several_files:
                    raise
                print_log(
                    f'skipped: {e}', logger='current', level=logging.WARNING)
                self.skipped.append(item['name'] if isinstance(item, dict) else
                                    self._input_keys(item, i)[0])
                continue
            yield data, [image]

    def preprocess_single(self,
                          input,
                          index: int,
                          bboxes=None,
                          bbox_thr: float = 0.3,
                          nms_thr: float = 0.3,
                          fallback_whole_image: bool = False,
                          whole_image: bool = False,
                          warn_clipped: bool = True):
        """Read one image, choose its boxes (``choose_boxes``; with
        ``whole_image`` the detector is not run: each image is one item),
        crop them.

        Returns:
            tuple[dict, np.ndarray]: ``dict(batch, meta)`` and the BGR image.
        """
        image, meta = load_input(
            input, index, self.video_info.name if self._video_input else None)
        boxes, source = choose_boxes(image, meta['img_name'], bboxes,
                                     None if whole_image else self.detector,
                                     bbox_thr, nms_thr, self.det_cat_ids,
                                     fallback_whole_image, warn_clipped)
        meta.update(box_source=source, ori_shape=image.shape[:2])
        crops = crop_boxes(self.pipeline, image, meta['img_path'], boxes,
                           self.model.dataset_meta)
        batch = self.collate_fn(crops) if crops else None
        return dict(batch=batch, meta=meta), image

    # ------------------------------------------------------------- forward
    @torch.no_grad()
    def forward(self,
                inputs: dict,
                keep_outside: bool = False) -> List[PoseDataSample]:
        """Landmarks of the crops of one image.

        Returns:
            list[PoseDataSample]: The image's result (``image_sample`` in
            ``gle.apis.topdown_prediction``: keypoints in image pixels,
            clipped to it unless ``keep_outside``, absent slots marked).
        """
        predict = predict_crops_numpy if self.backend == 'onnxruntime' \
            else predict_crops
        samples = [] if inputs['batch'] is None else predict(
            self.model, self.heatmap_model, inputs['batch'])
        return [
            image_sample(samples, inputs['meta'],
                         self.model.dataset_meta['num_keypoints'],
                         keep_outside)
        ]

    # ------------------------------------------------------------- outputs
    def visualize(self,
                  inputs: List[np.ndarray],
                  preds: List[PoseDataSample],
                  return_vis: bool = False,
                  show: bool = False,
                  wait_time: float = 0,
                  radius: int = 3,
                  thickness: int = 2,
                  kpt_thr: float = 0.3,
                  vis_out_dir: str = '',
                  window_name: str = '') -> List[np.ndarray]:
        """Draw boxes (clothes type, score) and landmarks (left yellow,
        right red; absent slots and scores up to ``kpt_thr`` not drawn), see
        ``draw_fashion_landmarks``; write them under ``vis_out_dir`` (same
        relative path as the input; a video as one video).

        Returns:
            list[np.ndarray]: The drawings (RGB) if ``return_vis``.
        """
        if not (return_vis or show or vis_out_dir):
            return []
        drawings = []
        for image, pred in zip(inputs, preds):
            drawn = mmcv.bgr2rgb(
                draw_fashion_landmarks(
                    image,
                    pred,
                    self.model.dataset_meta,
                    palette=self.palette,
                    kpt_thr=kpt_thr,
                    radius=radius,
                    thickness=thickness,
                    visualizer=self.visualizer))
            if show:
                self.visualizer.show(
                    drawn,
                    win_name=window_name or pred.img_name,
                    wait_time=1e-5 if self._video_input else wait_time)
            if vis_out_dir:
                self.save_visualization(drawn, vis_out_dir, pred.img_name)
            drawings.append(drawn)
        return drawings if return_vis else []

    def save_visualization(self,
                           visualization: np.ndarray,
                           vis_out_dir: str,
                           img_name: Optional[str] = None) -> None:
        """Write one drawing (RGB): ``vis_out_dir/<relative image path>``,
        or the next frame of ``vis_out_dir/<video file name>``."""
        out = mmcv.rgb2bgr(visualization)
        if self._video_input:
            self.video_info.add_drawing(out, vis_out_dir)
            return
        path = osp.join(vis_out_dir, img_name)
        if not mmcv.imwrite(out, path):
            raise OSError(f'OpenCV cannot write the drawing {path}')

    def postprocess(self,
                    preds: List[PoseDataSample],
                    visualization: List[np.ndarray],
                    return_datasamples: bool = False,
                    pred_out_dir: str = '') -> dict:
        """JSON-ready results (docs/inference.md), written under
        ``pred_out_dir`` when given: ``<relative image path>.json`` per
        image, one ``<video stem>.json`` per video (streamed).

        Returns:
            dict: ``predictions`` (dicts, or the ``PoseDataSample`` objects
            with ``return_datasamples``) and ``visualization``.
        """
        result = defaultdict(list)
        result['visualization'] = visualization
        for pred in preds:
            record = sample_to_dict(pred, self.landmark_names)
            if pred_out_dir and self._video_input:
                self.video_info.add_prediction(record, pred_out_dir)
            elif pred_out_dir:
                mmengine.dump(
                    record, osp.join(pred_out_dir, pred.pred_name), indent=2)
            result['predictions'].append(
                pred if return_datasamples else record)
        return result

    def _finalize_video_processing(self, pred_out_dir: str = '') -> None:
        self.video_info.close(finished=True)
