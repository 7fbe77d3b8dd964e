"""Launch-time adjustments shared by ``tools/train.py`` and ``tools/test.py``.

``setup_distributed(cfg)`` is called before ``Runner.from_cfg`` whenever
``--launcher`` is not ``none``:

* With a visible GPU nothing changes: the config keeps its backend (``nccl``)
  and mmengine's own ``init_dist`` sets the CUDA device and starts the process
  group.
* Without a GPU (CPU nodes, CPU test runs of the launch scripts) the backend
  becomes ``gloo`` and we start the process group ourselves, because mmengine
  0.10.7's ``init_dist`` calls ``torch.cuda.set_device(local_rank)``
  unconditionally (the Runner skips ``init_dist`` when ``torch.distributed`` is
  already initialised). The model wrapper gets ``device_ids=None``: mmengine
  passes ``device_ids=[LOCAL_RANK]`` to ``MMDistributedDataParallel``, which
  DistributedDataParallel rejects for a CPU module.
"""
import datetime
import os
import subprocess
from typing import Optional, Tuple

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

#: torch.distributed's default rendezvous port (also mmengine's slurm default)
DEFAULT_MASTER_PORT = 29500

# whether init_cpu_dist created the default process group (teardown_distributed
# undoes it)
_OWN_GROUP = False


def select_dist_backend(cfg: Config) -> str:
    """Use gloo for distributed runs when no GPU is visible.

    Configs inherit ``env_cfg.dist_cfg.backend='nccl'`` (MMPose's default),
    which cannot start without CUDA; on a CPU-only machine (or a CPU test of
    the launch scripts) the only portable torch.distributed backend is gloo. An
    explicit non-nccl choice in the config is kept. Returns the backend in
    effect.
    """
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    backend = dist_cfg.get('backend', 'nccl')
    if backend == 'nccl' and not torch.cuda.is_available():
        backend = 'gloo'
    dist_cfg['backend'] = backend
    return backend


def _slurm_master_addr(node_list: str) -> str:
    """First host of a Slurm node list (``node[01-04]`` -> ``node01``), as
    mmengine."""
    out = subprocess.run(['scontrol', 'show', 'hostname', node_list],
                         check=True,
                         capture_output=True,
                         text=True).stdout
    hosts = out.split()
    if not hosts:
        raise RuntimeError(
            f'`scontrol show hostname {node_list}` printed no host')
    return hosts[0]


def dist_env(launcher: str,
             port: Optional[int] = None) -> Tuple[int, int, int]:
    """Read (rank, world_size, local_rank) for ``launcher`` and export them.

    Also exports ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and, for
    ``slurm``/``mpi``, ``MASTER_ADDR``/``MASTER_PORT`` exactly as mmengine's
    ``_init_dist_slurm`` / ``_init_dist_mpi`` do, so ``init_method='env://'``
    and the Runner see them:

    * ``pytorch`` (torchrun): ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``,
      ``MASTER_ADDR`` and ``MASTER_PORT`` are set by torchrun.
    * ``slurm`` (srun): ``SLURM_PROCID``, ``SLURM_NTASKS``, ``SLURM_LOCALID``;
      ``MASTER_ADDR`` from the environment or the first host of ``scontrol show
      hostname $SLURM_NODELIST``; ``MASTER_PORT`` from ``port``, the
      environment or 29500.
    * ``mpi`` (Open MPI): ``OMPI_COMM_WORLD_RANK``/``_SIZE``/``_LOCAL_RANK``;
      ``MASTER_ADDR`` must be set, ``MASTER_PORT`` defaults to 29500.
    """
    env = os.environ
    if launcher == 'pytorch':
        rank, world_size = int(env['RANK']), int(env['WORLD_SIZE'])
        local_rank = int(env.get('LOCAL_RANK', 0))
    elif launcher == 'slurm':
        rank, world_size = int(env['SLURM_PROCID']), int(env['SLURM_NTASKS'])
        local_rank = int(env.get('SLURM_LOCALID', 0))
        if port is not None:
            env['MASTER_PORT'] = str(port)
        env.setdefault('MASTER_PORT', str(DEFAULT_MASTER_PORT))
        if 'MASTER_ADDR' not in env:
            env['MASTER_ADDR'] = _slurm_master_addr(env['SLURM_NODELIST'])
    elif launcher == 'mpi':
        rank = int(env['OMPI_COMM_WORLD_RANK'])
        world_size = int(env['OMPI_COMM_WORLD_SIZE'])
        local_rank = int(env.get('OMPI_COMM_WORLD_LOCAL_RANK', 0))
        env.setdefault('MASTER_PORT', str(DEFAULT_MASTER_PORT))
        if 'MASTER_ADDR' not in env:
            raise KeyError('The environment variable MASTER_ADDR is not set')
    else:
        raise ValueError(f'Invalid launcher type: {launcher!r}')
    env['RANK'], env['WORLD_SIZE'] = str(rank), str(world_size)
    env['LOCAL_RANK'] = str(local_rank)
    return rank, world_size, local_rank


def init_cpu_dist(launcher: str, backend: str = 'gloo', **kwargs) -> None:
    """Start the default process group for a CPU run (no ``torch.cuda`` calls).

    ``kwargs`` are the config's ``env_cfg.dist_cfg`` (without ``backend``):
    ``timeout`` in seconds as in mmengine, ``port`` for slurm, anything else
    goes to ``torch.distributed.init_process_group``. No-op if a group already
    exists.
    """
    if torch_dist.is_initialized():
        return
    kwargs = dict(kwargs)
    kwargs.pop('init_backend', None)
    port = kwargs.pop('port', None)
    if kwargs.get('timeout') is not None:
        kwargs['timeout'] = datetime.timedelta(seconds=kwargs['timeout'])
    rank, world_size, _ = dist_env(launcher, port=port)
    torch_dist.init_process_group(
        backend=backend,
        init_method='env://',
        rank=rank,
        world_size=world_size,
        **kwargs)
    global _OWN_GROUP
    _OWN_GROUP = True


def teardown_distributed() -> None:
    """Destroy the process group ``init_cpu_dist`` started, after a barrier.

    Call it once a run finished normally. Without it the gloo group is torn
    down by interpreter shutdown, which under srun (rank 0 hosts the rendezvous
    store) can abort a rank ("terminate called without an active exception")
    and make ``srun --kill-on-bad-exit`` fail the job after a successful run.
    Groups created by mmengine (GPU runs) are left alone.
    """
    global _OWN_GROUP
    if _OWN_GROUP and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
    _OWN_GROUP = False


def cpu_model_wrapper_cfg(cfg: Config) -> dict:
    """The config's model wrapper with ``device_ids=None`` (a CPU module in
    DDP).

    Without ``model_wrapper_cfg`` this is mmengine's default wrapper
    (``MMDistributedDataParallel``, ``broadcast_buffers=False``,
    ``find_unused_parameters`` from the config). Wrappers that are not
    DistributedDataParallel subclasses are returned unchanged.
    """
    from mmengine.registry import MODEL_WRAPPERS
    from torch.nn.parallel import DistributedDataParallel

    wrapper = cfg.get('model_wrapper_cfg', None)
    if wrapper is None:
        wrapper = dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper = dict(wrapper)
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper_type = wrapper['type']
    if isinstance(wrapper_type, str):
        wrapper_type = MODEL_WRAPPERS.get(wrapper_type)
    if isinstance(wrapper_type, type) and issubclass(wrapper_type,
                                                     DistributedDataParallel):
        wrapper['device_ids'] = None
    return wrapper


def limit_cpu_threads(launcher: str) -> int:
    """Give each CPU process the cores its launcher meant for it (unless
    ``OMP_NUM_THREADS`` says otherwise); returns the intra-op thread count.

    torchrun exports ``OMP_NUM_THREADS=1`` for several processes per node; srun
    does not, and without CPU binding (``TaskPlugin=task/none``) every task
    would start one thread per core of the node: ``N`` tasks x all cores
    oversubscribe the CPUs, and gloo's collectives then wait on descheduled
    threads. A Slurm task gets ``SLURM_CPUS_PER_TASK`` threads
    (``--cpus-per-task``, ``CPUS_PER_TASK`` of tools/slurm_*.sh), any other
    launcher 1 (torchrun's default).
    """
    threads = os.environ.get('OMP_NUM_THREADS')
    if not threads:
        threads = os.environ.get(
            'SLURM_CPUS_PER_TASK') if launcher == 'slurm' else None
        threads = threads or '1'
        os.environ['OMP_NUM_THREADS'] = threads
    try:
        num = max(1, int(threads))
    except ValueError:
        return torch.get_num_threads()
    torch.set_num_threads(num)
    return num


def setup_distributed(cfg: Config) -> Optional[str]:
    """Prepare a distributed launch; returns the backend (None for
    ``launcher='none'``).

    GPU visible: only the backend choice (kept as configured); mmengine
    initialises. No GPU: gloo, per-process CPU threads
    (:func:`limit_cpu_threads`), our own ``init_process_group`` and a CPU model
    wrapper (see the module doc).
    """
    launcher = cfg.get('launcher', 'none')
    if launcher in (None, 'none'):
        return None
    backend = select_dist_backend(cfg)
    if torch.cuda.is_available():
        return backend
    limit_cpu_threads(launcher)
    dist_cfg = dict(cfg.env_cfg.dist_cfg)
    dist_cfg.pop('backend')
    init_cpu_dist(launcher, backend, **dist_cfg)
    cfg.model_wrapper_cfg = cpu_model_wrapper_cfg(cfg)
    return backend
