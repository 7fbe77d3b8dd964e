"""Export the pose model and the clothing detector of a config to ONNX."""
import os
import os.path as osp
import warnings
from typing import Optional, Sequence

import torch
from torch import nn

from .det_processing import det_settings_from_config
from .detector_export_wrapper import DetectorExportWrapper
from .heatmap_export_wrapper import HeatmapExportWrapper
from .metadata import to_builtin, write_metadata
from .model_loading import load_detector, load_pose_model
from .topdown_preprocessor import TopdownPreprocessor

EXPORTERS = ('dynamo', 'torchscript')
DEFAULT_OPSET = 18
INPUT_NAME = 'input'
POSE_OUTPUTS = ('heatmaps', )
DET_OUTPUTS = ('boxes', 'scores')
# batch of the example input: torch.export specialises sizes 0 and 1
_EXAMPLE_BATCH = 2


def export_onnx(module: nn.Module,
                example: torch.Tensor,
                out: str,
                output_names: Sequence[str],
                opset: int = DEFAULT_OPSET,
                exporter: str = 'dynamo') -> None:
    """``torch.onnx.export`` with a dynamic batch axis, weights inside the
    file.

    Args:
        module (nn.Module): The module to export (put in eval mode here).
        example (Tensor): An example input (N, 3, h, w), N >= 2.
        out (str): Output ``.onnx`` path.
        output_names (Sequence[str]): Names of the graph outputs.
        opset (int): ONNX opset. Defaults to :data:`DEFAULT_OPSET`.
        exporter (str): ``'dynamo'`` (``torch.export``, torch's default
            exporter) or ``'torchscript'`` (the deprecated tracer).
            Defaults to ``'dynamo'``.
    """
    if exporter not in EXPORTERS:
        raise ValueError(f'exporter must be one of {EXPORTERS}, got '
                         f'{exporter!r}')
    module.eval()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    kwargs = dict(
        input_names=[INPUT_NAME],
        output_names=list(output_names),
        opset_version=opset)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings('ignore', category=FutureWarning)
        warnings.filterwarnings('ignore', category=DeprecationWarning)
        # mmdet's prior generator calls torch.meshgrid without indexing
        warnings.filterwarnings('ignore', message='.*torch.meshgrid')
        if exporter == 'dynamo':
            try:
                import onnxscript  # noqa: F401
            except ImportError as e:
                raise ImportError(
                    "the 'dynamo' exporter needs onnxscript: pip install -r "
                    'requirements/deploy.txt') from e
            batch = torch.export.Dim('batch')
            torch.onnx.export(
                module, (example, ),
                out,
                dynamo=True,
                dynamic_shapes=({
                    0: batch
                }, ),
                external_data=False,
                verbose=False,
                **kwargs)
        else:
            axes = {name: {0: 'batch'} for name in (INPUT_NAME, *output_names)}
            torch.onnx.export(
                module, (example, ),
                out,
                dynamo=False,
                dynamic_axes=axes,
                **kwargs)


def check_onnx(out: str) -> None:
    """Run ``onnx.checker`` (with shape inference) on an exported file."""
    import onnx

    onnx.checker.check_model(out, full_check=True)


def _export_with_metadata(module: nn.Module, example: torch.Tensor, out: str,
                          meta: dict, config: str, checkpoint: str, opset: int,
                          exporter: str) -> dict:
    """Export ``module``, store ``meta`` and where it came from in the file,
    and check the file.

    Args:
        module (nn.Module): The export wrapper.
        example (Tensor): An example input (N, 3, h, w), N >= 2.
        out (str): Output ``.onnx`` path.
        meta (dict): The runtime settings, with ``output_names``.
        config (str): The config (its file name goes into ``source``).
        checkpoint (str): The checkpoint (likewise).
        opset (int): ONNX opset.
        exporter (str): See :func:`export_onnx`.

    Returns:
        dict: The metadata written into the file (JSON builtins).
    """
    import onnx

    meta = dict(
        meta,
        source=dict(
            config=osp.basename(config),
            checkpoint=osp.basename(checkpoint),
            exporter=exporter,
            opset=opset,
            torch=torch.__version__,
            onnx=onnx.__version__))
    export_onnx(module, example, out, meta['output_names'], opset, exporter)
    write_metadata(out, meta)
    check_onnx(out)
    return to_builtin(meta)


def _palette(dataset_meta: dict):
    """The detector's per-class RGB colours, when it has a list of them."""
    palette = dataset_meta.get('palette')
    if isinstance(palette, (list, tuple)) and len(palette) == len(
            dataset_meta['classes']):
        return [[int(c) for c in color] for color in palette]
    return None


def export_pose_model(config: str,
                      checkpoint: str,
                      out: str,
                      opset: int = DEFAULT_OPSET,
                      exporter: str = 'dynamo',
                      cfg_options: Optional[dict] = None) -> dict:
    """Export the heatmap network of a top-down pose config.

    Graph: ``input`` (N, 3, h, w) float32, the normalised batch of
    ``PoseDataPreprocessor``, dynamic N -> ``heatmaps`` (N, K, H, W), what
    ``model(inputs, None, mode='tensor')`` returns. The preprocessing
    settings, ``model.head.decoder``, ``model.test_cfg`` and the keypoint
    names / ``flip_indices`` go into the file's metadata.

    Args:
        config (str): Pose config.
        checkpoint (str): Its checkpoint.
        out (str): Output ``.onnx`` path.
        opset (int): ONNX opset. Defaults to :data:`DEFAULT_OPSET`.
        exporter (str): See :func:`export_onnx`.
        cfg_options (dict, optional): Config overrides.

    Returns:
        dict: The metadata written into the file.
    """
    model = load_pose_model(config, checkpoint, cfg_options)
    cfg = model.cfg
    pre = TopdownPreprocessor.from_config(cfg)
    w, h = pre.input_size
    wrapper = HeatmapExportWrapper(model).eval()
    example = torch.randn(_EXAMPLE_BATCH, 3, h, w)
    with torch.no_grad():
        heatmaps = wrapper(example)
    test_cfg = dict(cfg.model.get('test_cfg') or {})
    if test_cfg.get('flip_test') and test_cfg.get('flip_mode',
                                                  'heatmap') != 'heatmap':
        raise ValueError(f'{config}: the onnxruntime model supports the '
                         "flip test with flip_mode='heatmap' only, not "
                         f'{test_cfg["flip_mode"]!r}')
    names = model.dataset_meta['keypoint_id2name']
    meta = dict(
        task='pose',
        input_name=INPUT_NAME,
        output_names=POSE_OUTPUTS,
        heatmap_size=(heatmaps.shape[3], heatmaps.shape[2]),
        preprocess=pre.to_dict(),
        decoder=cfg.model.head.decoder.to_dict(),
        test_cfg=test_cfg,
        dataset_meta=dict(
            dataset_name=model.dataset_meta.get('dataset_name'),
            num_keypoints=model.dataset_meta['num_keypoints'],
            keypoint_names=[names[k] for k in range(len(names))],
            flip_indices=model.dataset_meta['flip_indices']))
    return _export_with_metadata(wrapper, example, out, meta, config,
                                 checkpoint, opset, exporter)


def export_detector(config: str,
                    checkpoint: str,
                    out: str,
                    opset: int = DEFAULT_OPSET,
                    exporter: str = 'dynamo',
                    cfg_options: Optional[dict] = None) -> dict:
    """Export an RTMDet clothing detector.

    Graph: ``input`` (N, 3, h, w) float32 (``DetDataPreprocessor``'s
    output), dynamic N -> ``boxes`` (N, P, 4) and ``scores`` (N, P, C) of
    every prior (:class:`DetectorExportWrapper`). The test pipeline's
    resize/pad, the normalisation, ``model.test_cfg`` and the class names
    go into the file's metadata; :class:`~gle.deployment.ONNXDetector`
    turns the outputs into boxes, scores and labels.

    The arguments are those of :func:`export_pose_model`, with ``config`` a
    detector config (``configs/det/``).

    Returns:
        dict: The metadata written into the file.
    """
    model = load_detector(config, checkpoint, cfg_options)
    cfg = model.cfg
    pad = [
        t for t in cfg.test_dataloader.dataset.pipeline
        if str(t.get('type')).split('.')[-1] == 'Pad'
    ]
    if not pad or pad[0].get('size') is None:
        raise ValueError(f'{config}: the test pipeline needs '
                         'Pad(size=(w, h)) (a fixed network input)')
    w, h = pad[0]['size']
    settings = det_settings_from_config(cfg, (w, h))
    wrapper = DetectorExportWrapper(model, (w, h)).eval()
    example = torch.randn(_EXAMPLE_BATCH, 3, h, w)
    with torch.no_grad():
        sizes = wrapper.featmap_sizes(example)
    meta = dict(
        task='detector',
        input_name=INPUT_NAME,
        output_names=DET_OUTPUTS,
        priors_per_level=[int(fh * fw) for fh, fw in sizes],
        classes=model.dataset_meta['classes'],
        palette=_palette(model.dataset_meta),
        **settings)
    return _export_with_metadata(wrapper, example, out, meta, config,
                                 checkpoint, opset, exporter)
