"""Load mmengine checkpoints with torch's weights-only unpickler, safely.

torch >= 2.6 loads with ``weights_only=True`` by default. mmengine 0.10.7
checkpoints also pickle numpy arrays and scalars (``meta``, the message hub)
and ``HistoryBuffer`` objects whose ``_statistics_methods`` dict refers to
``HistoryBuffer.min/max/current/mean`` through ``builtins.getattr``; the
weights-only unpickler rejects all of them ("Unsupported global",
open-mmlab/mmengine#1655), so ``load_from`` and ``--resume`` fail.

:func:`safe_checkpoint_loading` allows exactly those globals, for the duration
of a ``with`` block, and nothing else:

- the numpy globals that pickles of numeric arrays, dtypes and scalars refer to
  in the running numpy (read off such a pickle, so they match the numpy
  version: ``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``,
  ``numpy.dtype``, ``numpy.core.multiarray.scalar`` with numpy 1.26);
- ``mmengine.logging.HistoryBuffer``;
- ``builtins.getattr`` mapped to :func:`history_buffer_getattr`, which only
  returns the four ``HistoryBuffer`` statistics methods. The real ``getattr``
  is never allowed: ``getattr(getattr, '__self__')`` reaches the ``builtins``
  module, and from there ``eval``.

Importing ``gle`` changes nothing in the process: our tools, ``gle.apis`` and
:class:`gle.engine.SafeCheckpointLoadingHook` (in every config of this
repository, so stock MMPose/mmdet tools get it too) open the block around
their own loads.
"""
import contextlib
import importlib
import io
import pickle
import pickletools
from typing import Callable, Iterator, List, Tuple, Union

import numpy as np
import torch

#: the methods HistoryBuffer pickles by reference (its default statistics)
HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')

#: numeric dtypes mmengine checkpoints hold (metainfo arrays, log history)
_NUMERIC_DTYPES = ('bool', 'int8', 'uint8', 'int16', 'uint16', 'int32',
                   'uint32', 'int64', 'uint64', 'float16', 'float32',
                   'float64')


def history_buffer_getattr(obj, name: str):
    """``getattr`` as checkpoints need it: ``HistoryBuffer.<statistic>`` only.

    Registered under the name ``builtins.getattr`` for weights-only loading.

    Args:
        obj: The object the pickle asks an attribute of.
        name (str): The attribute name.

    Returns:
        Callable: ``HistoryBuffer.min``, ``.max``, ``.current`` or ``.mean``.

    Raises:
        pickle.UnpicklingError: Any other object or attribute.
    """
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and name in HISTORY_BUFFER_STATISTICS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'refused getattr({obj!r}, {name!r}) while loading a checkpoint: '
        'a checkpoint written by training only needs HistoryBuffer.'
        f'{{{",".join(HISTORY_BUFFER_STATISTICS)}}}. The file is not a '
        'plain mmengine checkpoint; do not load it unless you trust its '
        'source')


def _pickled_globals(obj) -> List[Tuple[str, str]]:
    """The ``(module, name)`` of every GLOBAL in ``obj``'s protocol-2 pickle
    (the protocol ``torch.save`` uses)."""
    found = []
    for op, arg, _ in pickletools.genops(io.BytesIO(pickle.dumps(obj, 2))):
        if op.name == 'GLOBAL':
            module, name = arg.split(' ')
            found.append((module, name))
    return found


def _resolve(module: str, name: str):
    target = importlib.import_module(module)
    for part in name.split('.'):
        target = getattr(target, part)
    return target


def numpy_checkpoint_globals() -> List[Callable]:
    """The numpy globals of pickled numeric arrays, dtypes and scalars.

    Those a pickle of such objects names (torch's own default allow-list
    left out), plus the classes of the numeric dtypes: the unpickler
    restores a dtype's state only when its class is allowed (numpy >= 1.25
    has one class per dtype, e.g. ``numpy.dtypes.Float64DType``).

    Returns:
        list: The objects, e.g. ``[numpy.core.multiarray._reconstruct,
        numpy.ndarray, numpy.dtype, numpy.core.multiarray.scalar,
        numpy.dtypes.BoolDType, ..., numpy.dtypes.Float64DType]``.
    """
    samples = [np.zeros(1, dtype=d) for d in _NUMERIC_DTYPES]
    samples += [np.dtype(d).type(0) for d in _NUMERIC_DTYPES]
    default = getattr(torch._weights_only_unpickler, '_get_allowed_globals',
                      dict)()
    objects = []
    for module, name in _pickled_globals(samples):
        if f'{module}.{name}' not in default:
            objects.append(_resolve(module, name))
    objects += [type(np.dtype(d)) for d in _NUMERIC_DTYPES]
    return list(dict.fromkeys(objects))


def checkpoint_safe_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """Everything :func:`safe_checkpoint_loading` allows (module docstring).

    Returns:
        list: Objects and ``(object, 'module.name')`` pairs, as
        ``torch.serialization.safe_globals`` takes them.
    """
    from mmengine.logging import HistoryBuffer
    return numpy_checkpoint_globals() + [
        HistoryBuffer, (history_buffer_getattr, 'builtins.getattr')
    ]


@contextlib.contextmanager
def safe_checkpoint_loading() -> Iterator[None]:
    """Let ``torch.load(weights_only=True)`` read mmengine checkpoints inside
    the ``with`` block, and nothing more (module docstring).

    Example::

        >>> from mmpose.apis import init_model
        >>> from gle.utils import safe_checkpoint_loading
        >>> with safe_checkpoint_loading():
        ...     model = init_model(config, 'work_dirs/demo/epoch_30.pth')
    """
    safe_globals = getattr(torch.serialization, 'safe_globals', None)
    if safe_globals is None:  # torch < 2.5 has no weights-only default
        yield
        return
    with safe_globals(checkpoint_safe_globals()):
        yield
