"""The model options of ``tools/infer.py`` and ``demo/app.py``.

Both take the same pose checkpoint, clothing detector, ``--device`` and
``--backend`` options with the same meaning. They are added here, by a module
that imports nothing but the standard library, so that ``--help`` of either
stays instant (no torch, no ``gle``).
"""
from argparse import ArgumentParser

#: ``--backend`` values (``gle.apis.BACKENDS``, without importing gle)
BACKENDS = ('pytorch', 'onnxruntime')
#: help of the pose checkpoint (positional in tools/infer.py, an option in
#: demo/app.py)
POSE_CHECKPOINT_HELP = ('GLE checkpoint (required with --backend pytorch; '
                        'not read with --backend onnxruntime)')


def add_detector_args(parser: ArgumentParser) -> None:
    """Add ``--det-config`` and ``--det-checkpoint``, the clothing detector
    (without it each image is one item).

    Args:
        parser (ArgumentParser): The entry point's parser.
    """
    parser.add_argument(
        '--det-config', help='clothing detector config (configs/det/)')
    parser.add_argument(
        '--det-checkpoint', help='clothing detector checkpoint')


def add_device_arg(parser: ArgumentParser) -> None:
    """Add ``--device`` (default None: a GPU when available, else cpu).

    Args:
        parser (ArgumentParser): The entry point's parser.
    """
    parser.add_argument(
        '--device',
        default=None,
        help='cpu, cuda, cuda:1 ... (default: a GPU when available, else '
        'cpu)')


def add_backend_args(parser: ArgumentParser, pose_config: str) -> None:
    """Add ``--backend`` and the options of its onnxruntime runs:
    ``--onnx``, ``--det-onnx`` and ``--num-threads``.

    Args:
        parser (ArgumentParser): The entry point's parser.
        pose_config (str): How the help names the pose config:
            ``'POSE_CONFIG'`` or ``'--pose-config'``.
    """
    parser.add_argument(
        '--backend',
        choices=BACKENDS,
        default='pytorch',
        help='run the checkpoints with PyTorch (default) or their ONNX '
        'exports with onnxruntime (--onnx, --det-onnx)')
    parser.add_argument(
        '--onnx',
        help=f'the pose model of {pose_config} exported by '
        'tools/deployment/pytorch2onnx.py (--backend onnxruntime)')
    parser.add_argument(
        '--det-onnx',
        help='the clothing detector exported with pytorch2onnx.py --det '
        '(--backend onnxruntime)')
    parser.add_argument(
        '--num-threads',
        type=int,
        help="onnxruntime threads per model (default: onnxruntime's, one "
        'per physical core)')
