"""onnxruntime session creation shared by the pose model and the
detector."""
import os.path as osp
from typing import Optional, Sequence

DEFAULT_PROVIDERS = ('CPUExecutionProvider', )


def create_session(onnx_file: str,
                   num_threads: Optional[int] = None,
                   providers: Sequence[str] = DEFAULT_PROVIDERS):
    """Load an ONNX model into an onnxruntime session.

    Args:
        onnx_file (str): The ``.onnx`` file.
        num_threads (int, optional): Threads of one operator
            (``intra_op_num_threads``); operators run one at a time. None
            keeps onnxruntime's default (one per physical core).
        providers (Sequence[str]): Execution providers, in order of
            preference. Defaults to ``('CPUExecutionProvider', )``.

    Returns:
        onnxruntime.InferenceSession: The session.
    """
    try:
        import onnxruntime as ort
    except ImportError as e:
        raise ImportError('onnxruntime is not installed: pip install -r '
                          'requirements/deploy.txt') from e
    if not osp.isfile(onnx_file):
        raise FileNotFoundError(f'ONNX model not found: {onnx_file}')
    available = ort.get_available_providers()
    missing = [p for p in providers if p not in available]
    if missing:
        raise ValueError(f'onnxruntime {ort.__version__} has no '
                         f'{", ".join(missing)}; available: '
                         f'{", ".join(available)}')
    options = ort.SessionOptions()
    options.graph_optimization_level = \
        ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if num_threads is not None:
        if int(num_threads) < 1:
            raise ValueError(f'num_threads must be >= 1, got {num_threads}')
        options.intra_op_num_threads = int(num_threads)
        options.inter_op_num_threads = 1
    try:
        return ort.InferenceSession(
            onnx_file, options, providers=list(providers))
    except Exception as e:  # onnxruntime raises its own pybind exceptions
        raise ValueError(f'onnxruntime cannot load {onnx_file} ({e}); '
                         'export it again with '
                         'tools/deployment/pytorch2onnx.py') from e
