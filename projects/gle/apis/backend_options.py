"""Which runtime ``FashionLandmarkInferencer`` runs on, and the files each
one needs: the arguments checked before any model is loaded."""
import logging
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.logging import print_log

from .backends import TorchClothingDetector, load_onnx_detector

#: ``backend=`` values (``tools/infer.py --backend``)
BACKENDS = ('pytorch', 'onnxruntime')
#: ``det_model`` values that mean "no detector: the whole image"
WHOLE_IMAGE = ('whole_image', 'whole-image')


def is_detector_config(det_model) -> bool:
    """A detector config (path or Config), as opposed to none, the whole
    image, or a detector backend object."""
    if isinstance(det_model, str):
        return det_model not in WHOLE_IMAGE
    return isinstance(det_model, (Config, dict))


def check_backend_args(backend: str,
                       weights: Optional[str],
                       device: Optional[str],
                       det_model,
                       det_weights: Optional[str],
                       det_is_config: bool,
                       onnx: Optional[str] = None,
                       det_onnx: Optional[str] = None,
                       num_threads: Optional[int] = None) -> Optional[str]:
    """Refuse argument combinations that cannot mean what they say.

    Args:
        backend (str): ``'pytorch'`` or ``'onnxruntime'``.
        weights (str, optional): The pose checkpoint (POSE_CHECKPOINT).
        device (str, optional): The device asked for.
        det_model: The detector config (or backend object, or None).
        det_weights (str, optional): The detector checkpoint.
        det_is_config (bool): ``det_model`` is a detector config.
        onnx (str, optional): The exported pose model (``--onnx``).
        det_onnx (str, optional): The exported detector (``--det-onnx``).
        num_threads (int, optional): onnxruntime threads.

    Returns:
        str | None: The device to build the PyTorch models on: ``device``
        (None: mmengine's choice) for ``'pytorch'``, ``'cpu'`` for
        ``'onnxruntime'`` (onnxruntime's CPUExecutionProvider).

    Raises:
        ValueError: Naming the arguments and the fix.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be 'pytorch' or 'onnxruntime' "
                         f'(--backend), got {backend!r}')
    if det_weights is not None and det_model is None:
        raise ValueError('a detector checkpoint was given without its '
                         'detector config (--det-config)')
    if det_is_config and det_weights is None:
        raise ValueError('a detector config was given without its '
                         'checkpoint (--det-checkpoint)')
    if backend == 'pytorch':
        given = [
            name
            for name, value in (('onnx (--onnx)',
                                 onnx), ('det_onnx (--det-onnx)', det_onnx),
                                ('num_threads (--num-threads)', num_threads))
            if value is not None
        ]
        if given:
            raise ValueError(
                f'{", ".join(given)} set the onnxruntime backend, which is '
                "not selected: pass backend='onnxruntime' (--backend "
                'onnxruntime)')
        return device
    if not onnx:
        raise ValueError(
            "backend 'onnxruntime' runs the pose model exported to ONNX: "
            "pass it as onnx='pose.onnx' (--onnx pose.onnx); "
            'tools/deployment/pytorch2onnx.py POSE_CONFIG POSE_CHECKPOINT '
            '--out pose.onnx writes it')
    if isinstance(weights, str) and weights.lower().endswith('.onnx'):
        raise ValueError(
            f'{weights} is an ONNX file, given as the pose checkpoint '
            '(weights=, POSE_CHECKPOINT): pass it as onnx= (--onnx)')
    if det_onnx is not None and det_model is not None:
        raise ValueError(
            'two clothing detectors: det_onnx (--det-onnx) and det_model '
            '(--det-config); pass one')
    if device not in (None, 'cpu'):
        raise ValueError(
            f"the onnxruntime backend runs on the CPU (onnxruntime's "
            f'CPUExecutionProvider), not on {device!r}: drop --device (or '
            "pass device='cpu')")
    return 'cpu'


def note_unused_checkpoint(weights: Optional[str], onnx_file: str,
                           meta: dict) -> None:
    """With the onnxruntime backend the weights come from the .onnx file and
    a pose checkpoint is not read; say so when its name is not the one the
    file was exported from (a stale export, or the wrong file)."""
    if not weights:
        return
    source = (meta.get('source') or {}).get('checkpoint')
    same = source in (None, osp.basename(weights))
    print_log(
        f'the pose checkpoint {weights} is not read: the onnxruntime '
        f'backend runs the weights inside {onnx_file}' +
        ('' if same else
         f', which was exported from {source}, not from this checkpoint'),
        logger='current',
        level=logging.INFO if same else logging.WARNING)


def build_detector(det_model, det_weights: Optional[str],
                   device: Optional[str], det_onnx: Optional[str],
                   num_threads: Optional[int]):
    """The clothing detector backend of ``FashionLandmarkInferencer``.

    Returns:
        None (no detector: ``det_model`` None or ``'whole_image'``), the
        onnxruntime detector of ``det_onnx``, the PyTorch detector of a
        config (checkpoint strictly checked, not ``DetInferencer``'s
        non-strict loading), or ``det_model`` itself (a detector backend).
    """
    if det_onnx is not None:
        return load_onnx_detector(det_onnx, num_threads)
    if det_model is None or (isinstance(det_model, str)
                             and det_model in WHOLE_IMAGE):
        return None
    if is_detector_config(det_model):
        if isinstance(det_model, dict):
            det_model = Config(dict(det_model))
        return TorchClothingDetector(det_model, det_weights, device)
    return det_model
