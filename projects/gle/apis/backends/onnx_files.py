"""Open the exported ``.onnx`` files for ``FashionLandmarkInferencer``, and
check that a pose model was exported from the config it is run with.

The errors name the file, the argument it was given as (``--onnx`` /
``onnx=``, ``--det-onnx`` / ``det_onnx=``) and the fix.
"""
import os.path as osp
from typing import Any, List, Optional

from mmengine.config import Config

#: how the two files are passed, for the messages
POSE_ARG = 'the pose model (--onnx, onnx=)'
DET_ARG = 'the clothing detector (--det-onnx, det_onnx=)'
_EXPORT = 'python tools/deployment/pytorch2onnx.py'


def _check_file(onnx_file: str, role: str, how: str) -> None:
    if not isinstance(onnx_file, str) or not onnx_file:
        raise ValueError(f'{role}: expected the path of an .onnx file, got '
                         f'{onnx_file!r}')
    if not osp.isfile(onnx_file):
        raise FileNotFoundError(
            f'{role} not found: {onnx_file}. Fix: check the path, or export '
            f'it with {_EXPORT} {how} --out {onnx_file}')


def load_onnx_pose_model(onnx_file: str, num_threads: Optional[int] = None):
    """An exported pose model, refusing the detector.

    Args:
        onnx_file (str): The file given as ``--onnx``.
        num_threads (int, optional): onnxruntime intra-op threads.

    Returns:
        ONNXPoseModel: The loaded model (its ``meta`` holds the settings it
        was exported with).
    """
    from gle.deployment import ONNXPoseModel, ONNXTaskError

    _check_file(onnx_file, POSE_ARG, 'POSE_CONFIG POSE_CHECKPOINT')
    try:
        return ONNXPoseModel(onnx_file, num_threads=num_threads)
    except ONNXTaskError as e:
        raise ValueError(
            f'{onnx_file} is the clothing detector (exported with --det), '
            f'given as {POSE_ARG}: pass it as {DET_ARG}, and the pose '
            f'model\'s .onnx as --onnx') from e


def load_onnx_detector(onnx_file: str, num_threads: Optional[int] = None):
    """An exported clothing detector, refusing a pose model.

    Args:
        onnx_file (str): The file given as ``--det-onnx``.
        num_threads (int, optional): onnxruntime intra-op threads.

    Returns:
        ONNXDetector: The detector backend (BGR image -> ``InstanceData``,
        ``dataset_meta['classes']``).
    """
    from gle.deployment import ONNXDetector, ONNXTaskError

    _check_file(onnx_file, DET_ARG, 'DET_CONFIG DET_CHECKPOINT --det')
    try:
        return ONNXDetector(onnx_file, num_threads=num_threads)
    except ONNXTaskError as e:
        raise ValueError(f'{onnx_file} is a pose (landmark) model, given as '
                         f'{DET_ARG}: pass it as {POSE_ARG}, and the '
                         'detector exported with --det as --det-onnx') from e


def _plain(value: Any) -> Any:
    """Settings as the ONNX metadata stores them (JSON builtins, lists as
    tuples), so that a config and a file compare equal."""
    from gle.deployment.metadata import lists_to_tuples, to_builtin

    return lists_to_tuples(to_builtin(value))


def _differences(stored: Any, wanted: Any, name: str) -> List[str]:
    """The leaves where two settings differ, as ``'name: a in the file,
    b in the config'``."""
    if isinstance(stored, dict) and isinstance(wanted, dict):
        found = []
        for key in sorted(set(stored) | set(wanted)):
            found += _differences(
                stored.get(key), wanted.get(key), f'{name}.{key}')
        return found
    if stored == wanted:
        return []
    return [f'{name}: {stored!r} in the file, {wanted!r} in the config']


def _flip_settings(test_cfg: Optional[dict]) -> dict:
    test_cfg = test_cfg or {}
    return dict(
        flip_test=bool(test_cfg.get('flip_test', False)),
        flip_mode=test_cfg.get('flip_mode', 'heatmap'),
        shift_heatmap=bool(test_cfg.get('shift_heatmap', False)))


def check_export_fits_config(pose, cfg: Config, preprocess: dict,
                             dataset_meta: dict) -> None:
    """Raise unless ``pose`` was exported from a model of ``cfg``.

    Compared: the network input (the graph's and the crop size), the crop
    and normalisation settings, the decoder, the flip test and the
    keypoints (names and ``flip_indices``), i.e. everything that makes
    the config's results differ from the file's.

    Args:
        pose (ONNXPoseModel): The loaded file.
        cfg (Config): The pose config the inferencer runs with.
        preprocess (dict): ``TopdownPreprocessor.from_config(cfg)``'s
            settings (``to_dict()``).
        dataset_meta (dict): The config's keypoint metainfo
            (``keypoint_id2name``, ``flip_indices``).

    Raises:
        ValueError: Naming the file, the config and each difference.
    """
    meta = pose.meta
    names = dataset_meta['keypoint_id2name']
    stored = dict(
        preprocessing=meta['preprocess'],
        decoder=meta['decoder'],
        test_cfg=_flip_settings(meta['test_cfg']),
        keypoint_names=meta['dataset_meta']['keypoint_names'],
        flip_indices=meta['dataset_meta']['flip_indices'])
    wanted = dict(
        preprocessing=preprocess,
        decoder=cfg.model.head.decoder,
        test_cfg=_flip_settings(cfg.model.get('test_cfg')),
        keypoint_names=[names[k] for k in range(len(names))],
        flip_indices=dataset_meta['flip_indices'])
    problems = []
    shape = list(pose.session.get_inputs()[0].shape)
    width, height = preprocess['input_size']
    if len(shape) == 4 and all(isinstance(v, int) for v in shape[2:]) and \
            tuple(shape[2:]) != (height, width):
        problems.append(f'network input: {shape[3]}x{shape[2]} in the '
                        f'file, {width}x{height} crops in the config')
    for key in wanted:
        problems += _differences(_plain(stored[key]), _plain(wanted[key]), key)
    if problems:
        source = (meta.get('source') or {}).get('config', '?')
        raise ValueError(
            f'{pose.onnx_file} does not fit {cfg.filename} (it was exported '
            f'from {source}): {"; ".join(problems)}. Fix: pass the config it '
            f'was exported from, or export this config\'s model: {_EXPORT} '
            f'{cfg.filename} CHECKPOINT --out {pose.onnx_file} (with the '
            '--cfg-options it was trained with)')
