"""The repository's scripts (tools/, demo/) as modules, for tests that call
their functions in-process: they are scripts, not part of ``gle``."""
import importlib.util


def load_script(path, name):
    """Import the script at ``path`` as a new module (not put in
    ``sys.modules``: each call runs the script's top level again).

    Args:
        path (str): the script's file, e.g. ``<repo>/tools/infer.py``.
        name (str): the module's ``__name__``.

    Returns:
        module: the executed script.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
