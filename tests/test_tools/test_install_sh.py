"""tools/install.sh's mmcv decision, run for real with a stand-in
interpreter and a fake wheel index on 127.0.0.1: a cached wheel is used as
is, else a prebuilt wheel the index has, else mmcv is compiled from the sdist
(C++20 patch for torch >= 2.14, result published to the cache).

The stand-in (fake_install_python.sh) simulates pip and the mmcv.ops probe
and runs the rest in a throw-away venv whose torch, torchvision, mmcv,
mmpose, mmdet and gle are one-line modules (torch 2.14.1, CPU), so every
Python call the script makes is real but fast.
"""
import os
import os.path as osp
import subprocess
import sys
import sysconfig
import venv

import pytest
from fake_wheel_index import serve_folder, this_python_tags, write_index_page

HERE = osp.dirname(osp.abspath(__file__))
REPO = osp.abspath(osp.join(HERE, '..', '..'))
TORCH_VERSION, TORCH_MM = '2.14.1', '2.14'
# the cache key install.sh builds for a CPU build of this interpreter
CACHE_KEY = 'mmcv-2.1.0-torch{}-cpu-py{}{}-{}'.format(
    TORCH_VERSION, *sys.version_info[:2],
    sysconfig.get_platform().replace('-', '_'))
TORCH_STUB = (f"__version__ = '{TORCH_VERSION}+cpu'\n"
              'class version:\n    cuda = None\n'
              'class cuda:\n    is_available = staticmethod(lambda: False)\n')
STUB_MODULES = dict(
    torch=TORCH_STUB,
    torchvision="__version__ = '0.29.1'\n",
    mmcv="__version__ = '2.1.0'\n",
    mmpose="__version__ = '1.3.2'\n",
    mmdet="__version__ = '3.3.0'\n",
    gle="__version__ = '0.1.0'\n")


@pytest.fixture(scope='module')
def fake_env(tmp_path_factory):
    """(interpreter, PYTHONPATH with the stand-in modules) of a venv that
    sees the real site-packages (packaging) under the stubs."""
    root = tmp_path_factory.mktemp('fake_env')
    venv.create(root / 'venv', system_site_packages=True, with_pip=False)
    stubs = root / 'stubs'
    for name, code in STUB_MODULES.items():
        (stubs / name).mkdir(parents=True)
        (stubs / name / '__init__.py').write_text(code)
    return str(root / 'venv' / 'bin' / 'python'), str(stubs)


def run_install(fake_env, tmp_path, index, cache):
    """Run tools/install.sh with the stand-in interpreter; returns (the
    completed process, the interpreter's calls)."""
    state = tmp_path / 'state'
    state.mkdir(exist_ok=True)
    log = tmp_path / 'calls.log'
    python = tmp_path / 'python'
    python.write_text('#!/bin/sh\nexec bash '
                      f'{osp.join(HERE, "fake_install_python.sh")} "$@"\n')
    python.chmod(0o755)
    env = dict(
        os.environ,
        PYTHON=str(python),
        REAL_PYTHON=fake_env[0],
        PYTHONPATH=fake_env[1],
        FAKE_LOG=str(log),
        FAKE_STATE=str(state),
        MMCV_INDEX=index,
        MMCV_CACHE=str(cache),
        GLE_FORCE_CPU_MMCV='1')
    proc = subprocess.run(['bash',
                           osp.join(REPO, 'tools', 'install.sh')],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, log.read_text().splitlines()


def pip_calls(calls, cmd):
    return [c for c in calls if c.startswith(f'-m pip {cmd} ')]


def mmcv_installs(calls):
    return [c for c in pip_calls(calls, 'install') if 'mmcv-' in c]


def lookups(calls):
    return [c for c in calls if 'find_mmcv_wheel.py' in c]


def test_cached_wheel_is_used_without_lookup_or_compile(fake_env, tmp_path):
    cache = tmp_path / 'cache'
    wheel = cache / CACHE_KEY / 'mmcv-2.1.0-cp311-cp311-linux_x86_64.whl'
    wheel.parent.mkdir(parents=True)
    wheel.touch()
    # an index that would offer a prebuilt wheel: must not even be asked
    best, _ = this_python_tags()
    write_index_page(tmp_path / 'index', 'cpu', TORCH_MM,
                     [f'https://mirror.invalid/mmcv-2.1.0-{best}.whl'])
    with serve_folder(tmp_path / 'index') as base:
        proc, calls = run_install(fake_env, tmp_path, base, cache)
    assert lookups(calls) == []
    assert pip_calls(calls, 'download') == pip_calls(calls, 'wheel') == []
    (install, ) = mmcv_installs(calls)
    assert install.endswith(str(wheel)) and '--force-reinstall' in install
    assert 'using cached mmcv wheel' in proc.stdout
    assert '| mmcv 2.1.0 (cached wheel) |' in proc.stdout


def test_prebuilt_wheel_when_the_index_has_one(fake_env, tmp_path):
    cache = tmp_path / 'cache'
    best, _ = this_python_tags()
    name = (f'mmcv-2.1.0-{best.interpreter}-{best.abi}-{best.platform}'
            '.whl')
    write_index_page(tmp_path / 'index', 'cpu', TORCH_MM,
                     [f'torch{TORCH_VERSION}/{name}'])
    with serve_folder(tmp_path / 'index') as base:
        proc, calls = run_install(fake_env, tmp_path, base, cache)
    (lookup, ) = lookups(calls)
    assert f'--index {base}' in lookup and '--cuda cpu' in lookup
    assert pip_calls(calls, 'download') == pip_calls(calls, 'wheel') == []
    (install, ) = mmcv_installs(calls)
    assert install.endswith(
        f'--no-deps {base}/cpu/torch{TORCH_MM}/torch{TORCH_VERSION}/{name}')
    assert '| mmcv 2.1.0 (prebuilt wheel) |' in proc.stdout
    assert not cache.exists() or os.listdir(cache) == []


def test_compiles_once_when_no_prebuilt_wheel_exists(fake_env, tmp_path):
    cache = tmp_path / 'cache'
    # the index answers, but has no page for this torch: HTTP 404
    write_index_page(tmp_path / 'index', 'cpu', '2.1', [])
    with serve_folder(tmp_path / 'index') as base:
        proc, calls = run_install(fake_env, tmp_path, base, cache)
    assert len(lookups(calls)) == 1
    assert 'HTTP 404' in proc.stderr
    (download, ) = pip_calls(calls, 'download')
    assert '--no-binary :all: mmcv==2.1.0' in download
    (build, ) = pip_calls(calls, 'wheel')
    assert '--no-build-isolation' in build
    # the sdist was patched for torch >= 2.14 before the build
    built_setup = (tmp_path / 'state' / 'built_setup.py').read_text()
    assert '-std=c++20' in built_setup and 'c++17' not in built_setup
    # published to the cache under its key, then installed from there
    (wheel, ) = os.listdir(cache / CACHE_KEY)
    assert not (cache / (CACHE_KEY + '.tmp')).exists()
    (install, ) = mmcv_installs(calls)
    assert install.endswith(str(cache / CACHE_KEY / wheel))
    assert 'building mmcv 2.1.0' in proc.stdout
    assert '| mmcv 2.1.0 (compiled) |' in proc.stdout

    # the next install finds the compiled wheel in the cache
    (tmp_path / 'state' / 'mmcv').unlink()
    (tmp_path / 'calls.log').unlink()
    proc, calls = run_install(fake_env, tmp_path, 'none', cache)
    assert lookups(calls) == [] and pip_calls(calls, 'wheel') == []
    assert '| mmcv 2.1.0 (cached wheel) |' in proc.stdout


def test_index_none_compiles_without_lookup(fake_env, tmp_path):
    proc, calls = run_install(fake_env, tmp_path, 'none', tmp_path / 'cache')
    assert lookups(calls) == []
    assert len(pip_calls(calls, 'wheel')) == 1
    assert '| mmcv 2.1.0 (compiled) |' in proc.stdout
