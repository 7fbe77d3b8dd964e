"""tools/dist_train.sh and tools/dist_test.sh (torchrun) with 2 CPU processes
(gloo)."""
import os.path as osp

import pytest
from cluster_utils import (DEMO_BASE_BATCH, DEMO_CONFIG, DEMO_LR, NUM_TEST,
                           PROCS, TOOLS, TRAIN_BATCH, TRAIN_SAMPLES, evaluate,
                           free_port, load_ckpt, tool_env)


def _ids(samples):
    return [int(s['id']) for s in samples]


def test_dist_train_cpu_gloo(demo_checkpoint):
    work_dir, ckpt, log = demo_checkpoint
    # chosen automatically: the config says nccl (MMPose's default runtime)
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'device_ids=None' in log  # DDP of a CPU module
    meta = load_ckpt(ckpt)['meta']
    # 16 samples / (2 processes x batch 4) = 2 iterations, each process half of
    # them
    assert meta['epoch'] == 1
    assert meta['iter'] == TRAIN_SAMPLES // (PROCS * TRAIN_BATCH)
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert osp.samefile(f.read().strip(), ckpt)


def test_auto_scale_lr(demo_checkpoint):
    """--auto-scale-lr: 2 processes x batch 4 against base_batch_size 16 -> lr
    x 0.5."""
    _, ckpt, log = demo_checkpoint
    ratio = PROCS * TRAIN_BATCH / DEMO_BASE_BATCH
    assert ratio == 0.5
    assert (
        f'LR is set based on batch size of {DEMO_BASE_BATCH} and the current '
        f'batch size is {PROCS * TRAIN_BATCH}. Scaling the original LR by '
        f'{ratio}') in log
    # the schedulers record the (scaled) lr they start from as initial_lr
    groups = load_ckpt(ckpt)['optimizer']['param_groups']
    assert groups and all(g['initial_lr'] == pytest.approx(DEMO_LR * ratio)
                          for g in groups)


def test_dist_test_matches_single_process(demo_checkpoint, single_process_eval,
                                          tmp_path):
    """2-process NE and left/right rates == 1-process ones on the same
    checkpoint, every test sample once.

    51 test samples: DefaultSampler(round_up=False) gives rank 0 26 and rank 1
    25 samples (no padding, no duplicate) and collect_results interleaves the
    parts back into dataset order (zip_longest copes with the unequal parts).
    """
    ckpt = demo_checkpoint[1]
    metrics1, samples1 = single_process_eval
    cmd = ['bash', osp.join(TOOLS, 'dist_test.sh'), DEMO_CONFIG, ckpt, PROCS]
    metrics2, samples2, log = evaluate(
        ckpt,
        tmp_path,
        'dist',
        launcher_cmd=cmd,
        env=tool_env(PORT=free_port()))
    assert 'GPU number: 2' in log
    assert len(samples1) == NUM_TEST and NUM_TEST % 2 == 1
    assert len(set(_ids(samples1))) == NUM_TEST
    assert _ids(samples2) == _ids(samples1)
    assert metrics2['NE'] == pytest.approx(metrics1['NE'], rel=1e-6, abs=1e-9)
    assert metrics2.keys() == metrics1.keys()
    # the left/right outcomes too: every pair of every sample counted once
    lr_keys = [k for k in metrics1 if k.startswith('LR/')]
    assert {
        'LR/correct', 'LR/collapsed', 'LR/hem/wrong_side', 'LR/upper/collapsed'
    } <= set(lr_keys)
    assert metrics1['LR/num_pairs'] == metrics2['LR/num_pairs'] > NUM_TEST
    assert sum(metrics2[f'LR/{o}'] for o in ('correct', 'swapped', 'collapsed',
                                             'one_off')) == pytest.approx(1)
    for key, value in metrics1.items():
        assert metrics2[key] == pytest.approx(
            value, rel=1e-6, abs=1e-9, nan_ok=True), key
