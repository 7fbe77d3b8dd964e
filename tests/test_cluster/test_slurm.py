"""tools/slurm_train.sh and tools/slurm_test.sh on a real (single-node,
localhost) Slurm
cluster: 2 tasks on CPU (GPUS=2 GPUS_PER_NODE=0 CPUS_PER_TASK=1).

The fixture installs slurm-wlm's daemons and munge with apt-get when they are
missing and skips (with the exact error) only if that is impossible.
"""
import os
import os.path as osp
import shutil
import tempfile
import time

import pytest
from cluster_utils import (DEMO_CONFIG, TOOLS, evaluate, fast_data, free_port,
                           load_ckpt, run_tool, tool_env)
from local_slurm import NOTES, PARTITION, LocalSlurm, ensure_installed

pytestmark = pytest.mark.slurm


def test_missing_slurm_is_reported_with_the_reason(monkeypatch):
    import local_slurm
    monkeypatch.setattr(local_slurm, 'missing_binaries', lambda: ['srun'])
    monkeypatch.setattr(local_slurm.os, 'geteuid', lambda: 1000)
    assert local_slurm.ensure_installed(log=lambda line: None) == \
        "missing ['srun'] and not root, so apt-get install is impossible"


@pytest.fixture(scope='module')
def slurm_cluster(request):
    start = time.time()
    reason = ensure_installed(log=NOTES.append)
    if reason is not None:
        NOTES.append(
            f'[slurm test] SKIPPED, no Slurm cluster possible: {reason}')
        pytest.skip(f'no Slurm for this test: {reason}')
    # short path: the munge socket path must fit a unix socket name (108 bytes)
    root = tempfile.mkdtemp(prefix='gle-slurm-', dir='/tmp')
    cluster = LocalSlurm(root, cpus=2)

    def stop():
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)

    request.addfinalizer(stop)
    cluster.start()
    NOTES.append(
        f'[slurm test] single-node cluster up in {time.time() - start:.0f}s '
        '(including any apt-get install)')
    return cluster


def slurm_env(cluster, **extra):
    """Tool environment for 2 CPU tasks; OMP_NUM_THREADS is left to the tools
    (SLURM_CPUS_PER_TASK threads per task)."""
    env = tool_env(
        GPUS=2,
        GPUS_PER_NODE=0,
        CPUS_PER_TASK=1,
        MASTER_PORT=free_port(),
        SRUN_ARGS='--time=5',
        **extra)
    env.pop('OMP_NUM_THREADS', None)
    return cluster.env(env)


def test_slurm_test_matches_single_process(slurm_cluster, demo_checkpoint,
                                           single_process_eval, tmp_path):
    ckpt = demo_checkpoint[1]
    metrics1, samples1 = single_process_eval
    cmd = [
        'bash',
        osp.join(TOOLS, 'slurm_test.sh'), PARTITION, 'gle-test', DEMO_CONFIG,
        ckpt
    ]
    metrics2, samples2, log = evaluate(
        ckpt,
        tmp_path,
        'slurm',
        launcher_cmd=cmd,
        env=slurm_env(slurm_cluster),
        timeout=180)
    assert ('srun -p debug --job-name=gle-test --ntasks=2 '
            '--cpus-per-task=1') in log
    assert 'Distributed launcher: slurm' in log
    assert 'GPU number: 2' in log
    assert [s['id'] for s in samples2] == [s['id'] for s in samples1]
    assert metrics2['NE'] == pytest.approx(metrics1['NE'], rel=1e-6, abs=1e-9)


def test_slurm_train(slurm_cluster, tmp_path):
    cmd = [
        'bash',
        osp.join(TOOLS, 'slurm_train.sh'), PARTITION, 'gle-train', DEMO_CONFIG,
        'work', '--no-validate', '--cfg-options', 'train_cfg.max_epochs=1',
        'train_dataloader.dataset.indices=16', 'train_dataloader.batch_size=4',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.save_best=None', *fast_data('train')
    ]
    _, log = run_tool(
        cmd,
        cwd=str(tmp_path),
        log_name='slurm_train.log',
        env=slurm_env(slurm_cluster),
        timeout=180)
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'Distributed launcher: slurm' in log
    assert 'GPU number: 2' in log
    meta = load_ckpt(tmp_path / 'work' / 'epoch_1.pth')['meta']
    assert (meta['epoch'], meta['iter']) == (1, 16 // (2 * 4))
    assert os.listdir(tmp_path / 'work').count('last_checkpoint') == 1
