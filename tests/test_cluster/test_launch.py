"""Unit tests of gle.utils.launch (distributed setup on CPU) and of the
samplers the configs use for distributed evaluation."""
import os
import os.path as osp
import stat

import pytest
import torch
import torch.distributed as torch_dist
from cluster_utils import DEMO_CONFIG, free_port
from mmengine.config import Config
from mmengine.dataset import DefaultSampler

from gle.utils import launch

DIST_VARS = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT',
             'OMP_NUM_THREADS')


@pytest.fixture
def clean_env(monkeypatch):
    """No launcher variables from the outside, and none of those the code under
    test exports leaks into later tests; torch's thread count restored."""
    for key in set(DIST_VARS) | {
            k
            for k in os.environ if k.startswith(('SLURM_', 'OMPI_'))
    }:
        monkeypatch.setenv(key,
                           'x')  # records the original value (or its absence)
        monkeypatch.delenv(key)
    threads = torch.get_num_threads()
    yield monkeypatch
    torch.set_num_threads(threads)


def _cfg(**kwargs):
    return Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl')), **kwargs))


@pytest.mark.parametrize('cuda, configured, expected',
                         [(False, 'nccl', 'gloo'), (True, 'nccl', 'nccl'),
                          (False, 'gloo', 'gloo'), (True, 'gloo', 'gloo')])
def test_select_dist_backend(monkeypatch, cuda, configured, expected):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: cuda)
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend=configured))))
    assert launch.select_dist_backend(cfg) == expected
    assert cfg.env_cfg.dist_cfg.backend == expected


def test_dist_env_pytorch(clean_env):
    clean_env.setenv('RANK', '3')
    clean_env.setenv('WORLD_SIZE', '4')
    clean_env.setenv('LOCAL_RANK', '1')
    assert launch.dist_env('pytorch') == (3, 4, 1)


def test_dist_env_slurm_master_from_scontrol(clean_env, tmp_path):
    """MASTER_ADDR = first host of `scontrol show hostname $SLURM_NODELIST`."""
    scontrol = tmp_path / 'scontrol'
    scontrol.write_text(
        '#!/bin/sh\n[ "$1 $2 $3" = "show hostname node[03-04]" ] '
        '&& printf "node03\\nnode04\\n"\n')
    scontrol.chmod(scontrol.stat().st_mode | stat.S_IEXEC)
    clean_env.setenv('PATH', f'{tmp_path}{os.pathsep}{os.environ["PATH"]}')
    clean_env.setenv('SLURM_PROCID', '3')
    clean_env.setenv('SLURM_NTASKS', '4')
    clean_env.setenv('SLURM_LOCALID', '1')
    clean_env.setenv('SLURM_NODELIST', 'node[03-04]')
    assert launch.dist_env('slurm') == (3, 4, 1)
    assert os.environ['MASTER_ADDR'] == 'node03'
    assert os.environ['MASTER_PORT'] == '29500'
    assert (os.environ['RANK'], os.environ['WORLD_SIZE'],
            os.environ['LOCAL_RANK']) == ('3', '4', '1')


def test_dist_env_slurm_respects_env_and_port(clean_env):
    clean_env.setenv('SLURM_PROCID', '0')
    clean_env.setenv('SLURM_NTASKS', '2')
    clean_env.setenv('SLURM_NODELIST', 'unresolvable[1-2]')
    clean_env.setenv('MASTER_ADDR', '10.1.2.3')  # scontrol is not asked
    clean_env.setenv('MASTER_PORT', '12345')
    assert launch.dist_env('slurm') == (0, 2, 0)
    assert os.environ['MASTER_ADDR'] == '10.1.2.3'
    assert os.environ['MASTER_PORT'] == '12345'
    launch.dist_env('slurm', port=23456)  # dist_cfg.port wins, as in mmengine
    assert os.environ['MASTER_PORT'] == '23456'


def test_dist_env_mpi(clean_env):
    clean_env.setenv('OMPI_COMM_WORLD_RANK', '1')
    clean_env.setenv('OMPI_COMM_WORLD_SIZE', '2')
    clean_env.setenv('OMPI_COMM_WORLD_LOCAL_RANK', '1')
    with pytest.raises(KeyError, match='MASTER_ADDR'):
        launch.dist_env('mpi')
    clean_env.setenv('MASTER_ADDR', '127.0.0.1')
    assert launch.dist_env('mpi') == (1, 2, 1)
    with pytest.raises(ValueError):
        launch.dist_env('none')


def test_limit_cpu_threads(clean_env):
    clean_env.setenv('SLURM_CPUS_PER_TASK', '2')
    assert launch.limit_cpu_threads('slurm') == 2
    assert os.environ['OMP_NUM_THREADS'] == '2'
    assert torch.get_num_threads() == 2
    clean_env.delenv('OMP_NUM_THREADS')
    assert launch.limit_cpu_threads('pytorch') == 1  # torchrun's default
    clean_env.setenv('OMP_NUM_THREADS', '3')  # the user's choice wins
    assert launch.limit_cpu_threads('slurm') == 3


def test_cpu_model_wrapper_cfg():
    wrapper = launch.cpu_model_wrapper_cfg(Config(dict()))
    assert wrapper == dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=False,
        device_ids=None)
    wrapper = launch.cpu_model_wrapper_cfg(
        Config(dict(find_unused_parameters=True)))
    assert wrapper['find_unused_parameters'] is True
    own = dict(
        type='MMDistributedDataParallel',
        find_unused_parameters=True,
        broadcast_buffers=True)
    assert launch.cpu_model_wrapper_cfg(Config(dict(
        model_wrapper_cfg=own))) == dict(
            own, device_ids=None)


def test_setup_distributed_gpu_path_untouched(clean_env):
    """With a GPU: only the backend is decided; mmengine's init_dist does the
    rest."""
    clean_env.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = _cfg(launcher='pytorch')
    assert launch.setup_distributed(cfg) == 'nccl'
    assert not torch_dist.is_initialized()
    assert 'model_wrapper_cfg' not in cfg
    assert 'OMP_NUM_THREADS' not in os.environ
    assert launch.setup_distributed(_cfg(launcher='none')) is None


def test_setup_distributed_cpu_world_of_one(clean_env):
    """No GPU: gloo group started here (no torch.cuda call), CPU DDP
    wrapper."""
    clean_env.setattr(torch.cuda, 'is_available', lambda: False)

    def no_cuda(*args, **kwargs):
        raise AssertionError('torch.cuda.set_device called on CPU')

    clean_env.setattr(torch.cuda, 'set_device', no_cuda)
    for key, value in dict(
            RANK=0,
            WORLD_SIZE=1,
            LOCAL_RANK=0,
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=free_port()).items():
        clean_env.setenv(key, str(value))
    assert not torch_dist.is_initialized()
    cfg = _cfg(launcher='pytorch')
    cfg.env_cfg.dist_cfg.timeout = 60  # seconds, as mmengine's dist_cfg
    try:
        assert launch.setup_distributed(cfg) == 'gloo'
        assert torch_dist.is_initialized()
        assert torch_dist.get_backend() == 'gloo'
        assert torch_dist.get_world_size() == 1
        assert cfg.model_wrapper_cfg.device_ids is None
        launch.init_cpu_dist('pytorch')  # already initialised: no-op
        # what the Runner does next: DDP around a CPU module
        from mmengine.model import MMDistributedDataParallel
        ddp = MMDistributedDataParallel(
            module=torch.nn.Linear(2, 2),
            **{k: v
               for k, v in cfg.model_wrapper_cfg.items() if k != 'type'})
        assert ddp(torch.ones(1, 2)).shape == (1, 2)
    finally:
        launch.teardown_distributed()
    assert not torch_dist.is_initialized()


def test_demo_config_eval_samplers_do_not_pad():
    cfg = Config.fromfile(DEMO_CONFIG)
    for split in ('val', 'test'):
        assert cfg[f'{split}_dataloader'].sampler.round_up is False


@pytest.mark.parametrize('world_size', [2, 3])
def test_round_up_false_covers_each_sample_once(monkeypatch, world_size):
    """DefaultSampler(round_up=False) in distributed evaluation: no padding and
    no duplicate, so collect_results gets exactly len(dataset) results (the
    ranks' parts differ in length by at most one, which its zip_longest
    handles)."""
    from mmengine.dataset import sampler as sampler_module
    dataset = list(range(51))
    parts = []
    for rank in range(world_size):
        monkeypatch.setattr(
            sampler_module,
            'get_dist_info',
            lambda rank=rank: (rank, world_size))
        sampler = DefaultSampler(
            dataset, shuffle=False, round_up=False, seed=0)
        parts.append(list(sampler))
        assert len(sampler) == len(parts[-1])
    flat = sorted(i for part in parts for i in part)
    assert flat == dataset
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    # round_up=True would pad with repeated samples (cut again by
    # collect_results)
    monkeypatch.setattr(sampler_module, 'get_dist_info', lambda: (1, 2))
    assert len(DefaultSampler(dataset, shuffle=False, round_up=True,
                              seed=0)) == 26


def test_configs_declare_base_batch_size():
    """--auto-scale-lr needs auto_scale_lr.base_batch_size: every config
    declares it (directly or through its _base_), equal to the batch of the
    1xbN name."""
    import glob
    import re
    config_dir = osp.dirname(DEMO_CONFIG)

    def base_batch(path):
        with open(path) as f:
            text = f.read()
        found = re.search(r'auto_scale_lr\s*=\s*dict\(base_batch_size=(\d+)\)',
                          text)
        if found:
            return int(found.group(1))
        base = re.search(r"_base_\s*=\s*\[\s*'\./([^']+)'", text)
        return base_batch(osp.join(config_dir,
                                   base.group(1))) if base else None

    configs = sorted(glob.glob(osp.join(config_dir, '*.py')))
    assert len(configs) >= 5
    for path in configs:
        batch = int(re.search(r'_1xb(\d+)-', osp.basename(path)).group(1))
        assert base_batch(path) == batch, path
