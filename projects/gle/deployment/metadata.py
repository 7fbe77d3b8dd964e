"""What the runtime needs besides the graph, stored inside the ONNX file.

The export tool writes one JSON document under the model's
``metadata_props`` key :data:`METADATA_KEY`: the task (``'pose'`` or
``'detector'``), the input and output names, and the preprocessing,
decoding and post-processing settings read from the config (and the class /
keypoint names from the checkpoint). :class:`~gle.deployment.ONNXPoseModel`
and :class:`~gle.deployment.ONNXDetector` read it back, so an exported
``.onnx`` file runs without its config or checkpoint.
"""
import json
from typing import Any

import numpy as np

METADATA_KEY = 'gle_deploy'
FORMAT_VERSION = 1


def to_builtin(obj: Any) -> Any:
    """Convert configs, tuples and numpy values to JSON-ready builtins.

    Args:
        obj: A (nested) dict / ``ConfigDict`` / list / tuple / numpy value.

    Returns:
        The same content with dicts, lists, ints, floats, bools, strings and
        None only.
    """
    if isinstance(obj, dict):
        return {str(k): to_builtin(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_builtin(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_builtin(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f'cannot store a {type(obj).__name__} ({obj!r}) in the '
                    'ONNX metadata')


def lists_to_tuples(obj: Any) -> Any:
    """Turn the lists of a JSON document back into tuples (configs write
    sizes as tuples; codecs and transforms expect them)."""
    if isinstance(obj, dict):
        return {k: lists_to_tuples(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return tuple(lists_to_tuples(v) for v in obj)
    return obj


def write_metadata(onnx_file: str, meta: dict) -> None:
    """Store ``meta`` (plus :data:`FORMAT_VERSION`) in an ONNX file, in
    place.

    Args:
        onnx_file (str): An ONNX model file (weights inside the file).
        meta (dict): JSON-ready settings (see :func:`to_builtin`).
    """
    import onnx

    model = onnx.load(onnx_file)
    doc = json.dumps(dict(format_version=FORMAT_VERSION, **to_builtin(meta)))
    for prop in model.metadata_props:
        if prop.key == METADATA_KEY:
            prop.value = doc
            break
    else:
        model.metadata_props.add(key=METADATA_KEY, value=doc)
    onnx.save(model, onnx_file)


def read_metadata(session, onnx_file: str, task: str) -> dict:
    """Read the settings that :func:`write_metadata` stored.

    Args:
        session (onnxruntime.InferenceSession): The loaded model.
        onnx_file (str): Its path (for the error messages).
        task (str): ``'pose'`` or ``'detector'``: what the caller runs.

    Returns:
        dict: The stored settings, lists turned into tuples.
    """
    props = session.get_modelmeta().custom_metadata_map
    if METADATA_KEY not in props:
        raise ValueError(
            f'{onnx_file} has no "{METADATA_KEY}" metadata: export it with '
            'tools/deployment/pytorch2onnx.py, which stores the '
            'preprocessing and decoding settings the runtime needs')
    meta = json.loads(props[METADATA_KEY])
    version = meta.get('format_version')
    if version != FORMAT_VERSION:
        raise ValueError(f'{onnx_file}: metadata format {version}, this '
                         f'version of gle reads format {FORMAT_VERSION}; '
                         're-export the model with this version')
    if meta.get('task') != task:
        tool = {'pose': 'ONNXPoseModel', 'detector': 'ONNXDetector'}
        raise ValueError(
            f'{onnx_file} is a {meta.get("task")} model, not a {task} '
            f'model: load it with {tool.get(meta.get("task"), "?")}')
    return lists_to_tuples(meta)
