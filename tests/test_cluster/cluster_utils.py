"""Helpers for the launch tests: run tools/*.py|sh as subprocesses, from a cwd
outside the repository, on CPU, talking over loopback only."""
import json
import os
import os.path as osp
import pickle
import socket
import subprocess
import sys
import time

import torch
from mmengine.config import Config

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PROJECTS = osp.join(REPO_ROOT, 'projects')
TOOLS = osp.join(REPO_ROOT, 'tools')
DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'gle',
                       'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
_DEMO_CFG = Config.fromfile(DEMO_CONFIG)
DEMO_LR = _DEMO_CFG.optim_wrapper.optimizer.lr
DEMO_BASE_BATCH = _DEMO_CFG.auto_scale_lr.base_batch_size
NUM_TEST = 51  # test split of demo/data/fashion_demo (odd: ranks get 26 + 25)
# the shared 2-process training run (conftest.demo_checkpoint)
TRAIN_SAMPLES, TRAIN_BATCH, PROCS = 16, 4, 2


def fast_data(*splits):
    """--cfg-options for short runs: no dataloader worker processes for
    ``splits`` (default all three), a log line per iteration."""
    return [
        f'{split}_dataloader.{key}'
        for split in (splits or ('train', 'val', 'test'))
        for key in ('num_workers=0', 'persistent_workers=False')
    ] + ['default_hooks.logger.interval=1']


#: set by torchrun / an outer job; the tools must get them from their own
#: launcher
LAUNCHER_VARS = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE',
                 'MASTER_ADDR', 'MASTER_PORT', 'GROUP_RANK',
                 'TORCHELASTIC_RUN_ID')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def tool_env(**extra) -> dict:
    """Environment for the tools: this checkout's ``gle`` first, gloo on
    loopback, no GPU, no variables of an outer torchrun / Slurm / MPI job."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(('SLURM_', 'OMPI_')) and k not in LAUNCHER_VARS
    }
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (PROJECTS, env.get('PYTHONPATH')) if p)
    env['PYTHON'] = sys.executable
    env['PYTHONUNBUFFERED'] = '1'
    env['PYTHONWARNINGS'] = 'ignore'
    env['GLOO_SOCKET_IFNAME'] = 'lo'
    env['CUDA_VISIBLE_DEVICES'] = ''
    # one compute thread per process: on 2 shared cores a single process with 2
    # threads ran the test split twice as slowly as with 1
    env['OMP_NUM_THREADS'] = '1'
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_tool(cmd, cwd, log_name, timeout=300, env=None, check=True):
    """Run ``cmd`` in ``cwd`` with output to ``cwd/log_name``; on failure show
    its tail."""
    log_path = osp.join(cwd, log_name)
    start = time.time()
    with open(log_path, 'w') as log:
        try:
            proc = subprocess.run([str(c) for c in cmd],
                                  cwd=cwd,
                                  env=env or tool_env(),
                                  stdout=log,
                                  stderr=subprocess.STDOUT,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            proc = None
    with open(log_path) as f:
        output = f.read()
    if proc is None:
        raise AssertionError(
            f'{" ".join(map(str, cmd))} killed after {timeout}s; '
            f'last output:\n{output[-6000:]}')
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{" ".join(map(str, cmd))} exited with {proc.returncode} after '
            f'{time.time() - start:.0f}s; last output:\n{output[-6000:]}')
    return proc.returncode, output


def read_json(path):
    with open(path) as f:
        return json.load(f)


def load_ckpt(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def evaluate(checkpoint, cwd, name, launcher_cmd=None, env=None, timeout=300):
    """Run tools/test.py (or ``launcher_cmd`` + its args) on ``checkpoint``;
    returns (metrics dict, dumped data samples, log)."""
    out, dump = osp.join(cwd, f'{name}.json'), osp.join(cwd, f'{name}.pkl')
    args = [
        '--work-dir', f'{name}_work', '--out', out, '--dump', dump,
        '--cfg-options', *fast_data('test')
    ]
    cmd = launcher_cmd or [
        'python',
        osp.join(TOOLS, 'test.py'), DEMO_CONFIG, checkpoint
    ]
    env = env or tool_env()
    if cmd[0] == 'python':
        cmd = [env['PYTHON']] + cmd[1:]
    _, log = run_tool(
        cmd + args,
        cwd=str(cwd),
        log_name=f'{name}.log',
        env=env,
        timeout=timeout)
    with open(dump, 'rb') as f:
        samples = pickle.load(f)
    return read_json(out), samples, log
