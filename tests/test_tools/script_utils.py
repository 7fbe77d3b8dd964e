"""The repository's scripts (tools/, demo/) in tests: loaded as modules to
call their functions in-process (they are scripts, not part of ``gle``), or
run as programs; and the configs they run."""
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import pytest

#: the repository root
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def config_file(*parts):
    """A config of the repository: ``config_file('gle', NAME)`` is
    ``<repo>/configs/gle/NAME``."""
    return osp.join(REPO, 'configs', *parts)


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


def script_fixture(path, name):
    """A module-scoped fixture of the script at ``path``, loaded once per
    test module: ``tool = script_fixture(TOOL, 'infer_tool')`` makes the
    fixture ``tool``.

    Args:
        path (str): the script's file.
        name (str): the module's ``__name__`` (see :func:`load_script`).

    Returns:
        the pytest fixture.
    """
    return pytest.fixture(scope='module')(lambda: load_script(path, name))


def run_python(args, cwd, env=None, timeout=600):
    """Run ``python ARGS`` (this interpreter) in ``cwd``, warnings off and no
    GPU visible, stderr merged into stdout.

    Args:
        args (list[str]): the script and its arguments.
        cwd (str | Path): the working directory.
        env (dict, optional): the environment; defaults to this process's.
        timeout (float): seconds before ``subprocess.TimeoutExpired``.

    Returns:
        subprocess.CompletedProcess: with ``returncode`` and ``stdout``.
    """
    env = dict(
        os.environ if env is None else env,
        PYTHONWARNINGS='ignore',
        CUDA_VISIBLE_DEVICES='')
    return subprocess.run([sys.executable, *args],
                          cwd=cwd,
                          env=env,
                          text=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          timeout=timeout)
