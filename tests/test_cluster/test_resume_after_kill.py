"""A training run SIGKILLed mid-epoch resumes with --resume and finishes."""
import os.path as osp
import signal
import subprocess
import time

from cluster_utils import (DEMO_CONFIG, DEMO_LR, TOOLS, fast_data, load_ckpt,
                           run_tool, tool_env)

# 8 iterations per epoch: time to kill mid-epoch
SAMPLES, BATCH, EPOCHS = 16, 2, 3
ITERS_PER_EPOCH = SAMPLES // BATCH


def _train_cmd(env, *extra):
    return [
        env['PYTHON'],
        osp.join(TOOLS, 'train.py'), DEMO_CONFIG, '--work-dir', 'work',
        '--no-validate', *extra, '--cfg-options',
        f'train_cfg.max_epochs={EPOCHS}',
        f'train_dataloader.dataset.indices={SAMPLES}',
        f'train_dataloader.batch_size={BATCH}',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.save_best=None', *fast_data('train')
    ]


def _wait_for(log_path, text, proc, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(log_path) as f:
            if text in f.read():
                return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(log_path) as f:
        raise AssertionError(f'{text!r} not seen (exit code {proc.poll()}):\n'
                             f'{f.read()[-4000:]}')


def test_sigkill_mid_epoch_then_resume(tmp_path):
    env = tool_env()
    work = tmp_path / 'work'
    log_path = tmp_path / 'killed.log'
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(
            _train_cmd(env),
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT)
    try:
        # epoch 1 checkpointed, epoch 2 running: kill after its first iteration
        _wait_for(
            log_path,
            f'Epoch(train) [2][1/{ITERS_PER_EPOCH}]',
            proc,
            timeout=240)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(work / 'last_checkpoint') as f:
        assert f.read() == str(work / 'epoch_1.pth')
    assert not (work / 'epoch_2.pth').exists(), 'not killed mid-epoch 2'

    _, log = run_tool(
        _train_cmd(env, '--resume'),
        cwd=str(tmp_path),
        log_name='resumed.log',
        env=env)
    latest = work / 'epoch_1.pth'
    assert f'Auto resumed from the latest checkpoint {latest}' in log
    # the resumed run continues with epoch 2 instead of starting over
    assert 'Epoch(train) [1][' not in log
    assert f'Epoch(train) [2][1/{ITERS_PER_EPOCH}]' in log

    final = load_ckpt(work / f'epoch_{EPOCHS}.pth')
    assert final['meta']['epoch'] == EPOCHS
    assert final['meta']['iter'] == EPOCHS * ITERS_PER_EPOCH
    hub = final['message_hub']['runtime_info']
    assert hub[
        # the message hub counts from 0 during the epoch
        'epoch'] == EPOCHS - 1
    assert hub['iter'] == EPOCHS * ITERS_PER_EPOCH - 1
    assert hub['keep_ckpt_ids'] == [2,
                                    3]  # the demo config keeps 2 checkpoints
    with open(work / 'last_checkpoint') as f:
        assert f.read() == str(work / f'epoch_{EPOCHS}.pth')
    assert sorted(
        p.name for p in work.glob('*.pth')) == ['epoch_2.pth', 'epoch_3.pth']
    # no --auto-scale-lr: the configured lr (1 process x 2 would scale it by
    # 1/8)
    assert all(g['initial_lr'] == DEMO_LR
               for g in final['optimizer']['param_groups'])
