"""What the onnxruntime pose model and detector share: the session, the
stored settings and the check of the input batch."""
from typing import Optional, Sequence

import numpy as np

from .metadata import read_metadata
from .ort_session import DEFAULT_PROVIDERS, create_session


class BaseONNXModel:
    """A model exported by ``tools/deployment/pytorch2onnx.py``, run with
    onnxruntime.

    Loads the file into a session (:func:`create_session`) and reads the
    settings its export stored (:func:`read_metadata`; a file of another
    task than :attr:`TASK` is refused with :class:`ONNXTaskError`). The
    graph input is the normalised batch (N, 3, h, w) of the config's data
    preprocessor; :meth:`check_inputs` checks it against the stored input
    size.

    Args:
        onnx_file (str): The exported model.
        num_threads (int, optional): onnxruntime intra-op threads. None:
            onnxruntime's default (all physical cores).
        providers (Sequence[str]): Execution providers. Defaults to
            ``('CPUExecutionProvider', )``.
    """

    #: the ``task`` of the metadata: ``'pose'`` or ``'detector'``
    TASK: str = ''

    def __init__(self,
                 onnx_file: str,
                 num_threads: Optional[int] = None,
                 providers: Sequence[str] = DEFAULT_PROVIDERS) -> None:
        self.onnx_file = onnx_file
        self.session = create_session(onnx_file, num_threads, providers)
        self.meta = read_metadata(self.session, onnx_file, task=self.TASK)
        self.input_name = self.meta['input_name']
        self.output_names = list(self.meta['output_names'])
        width, height = self.meta['preprocess']['input_size']
        self.input_size = (int(width), int(height))

    def check_inputs(self, inputs: np.ndarray) -> np.ndarray:
        """The graph input, checked.

        Args:
            inputs (np.ndarray): Normalised batch (N, 3, h, w), with
                ``(w, h)`` = :attr:`input_size`.

        Returns:
            np.ndarray: ``inputs`` as a contiguous float32 array.

        Raises:
            ValueError: Another shape.
        """
        inputs = np.asarray(inputs)
        w, h = self.input_size
        if inputs.ndim != 4 or inputs.shape[1:] != (3, h, w):
            raise ValueError(f'expected inputs of shape (N, 3, {h}, {w}), '
                             f'got {inputs.shape}')
        return np.ascontiguousarray(inputs, np.float32)

    def run(self, inputs: np.ndarray) -> list:
        """Run the graph on a checked batch (see :meth:`check_inputs`).

        Args:
            inputs (np.ndarray): Contiguous float32 batch (N, 3, h, w).

        Returns:
            list[np.ndarray]: The outputs, in the order of
            :attr:`output_names`.
        """
        return self.session.run(self.output_names, {self.input_name: inputs})
