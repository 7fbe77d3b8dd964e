#!/usr/bin/env python
"""Ablation over the number of GLE modules k, several seeds and test-time
variants, with MMPose's stock baseline as extra rows.

For every k in ``--num-modules`` and seed in ``--seeds`` it trains CONFIG
with ``tools/train.py`` (``model.neck.num_modules=k``,
``randomness.seed=seed``), then tests the run's last (or best) checkpoint
with ``tools/test.py`` under each ``--variants`` entry (named cfg-option
sets, e.g. a decoding toggle), and writes ONE markdown table (mean +- std
over seeds of NE, per-landmark NE, wrong-side and collapse rates, training
time; overall and per view when the data has ``Anno/list_view.txt``) and
ONE figure (validation NE and wrong-side rate against epoch, one line per k,
the min-max spread over seeds as a band). ``--baselines`` configs are
trained with the same seeds (without the k override) as extra rows.

Runs go to ``WORK_DIR/runs/<name>``, each process with one torch thread,
``--jobs`` of them at a time. Rerunning the same command skips every
finished training and test; an interrupted training resumes from its last
checkpoint; failed runs are retried and, if they fail again, listed under
the table with their log (and the exit status is 1). Examples::

    # the full sweep on the context set (a few hours on 2 CPU cores)
    python tools/analysis/ablation.py \
        configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-context-96x96.py \
        --num-modules 0 1 2 3 --seeds 1234 42 7 --jobs 2 \
        --baselines \
        configs/baselines/td-hm_res18_1xb16-30e_fashion-context-96x96.py \
        --variants default= pair=model.head.decoder.pair_aware=True \
        --work-dir work_dirs/ablation_context
    # only rebuild the table and figure from what is there
    python tools/analysis/ablation.py CONFIG --work-dir DIR --report-only

Variants: ``NAME=`` (the config as is) or ``NAME=KEY=VALUE[ KEY=VALUE...]``
(one shell word per variant, options separated by spaces), applied at test
time only, e.g. ``--variants default= pair=model.head.decoder.pair_aware=True``
(the pair-aware decoding, docs/metrics.md).
``--cfg-options`` apply to every training and test (tiny settings, data
loader workers...).
"""
import argparse
import functools
import hashlib
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import ablation_report as report  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRAIN = osp.join(REPO_ROOT, 'tools', 'train.py')
TEST = osp.join(REPO_ROOT, 'tools', 'test.py')
RUN_FILE = 'ablation_run.json'
TEST_FILE = 'ablation_test.json'
_PRINT_LOCK = threading.Lock()


def _log(msg):
    with _PRINT_LOCK:
        print(msg, flush=True)


def parse_variants(specs):
    """``['default=', 'pair=a.b=1 c=2']`` -> ``{'default': [], 'pair':
    ['a.b=1', 'c=2']}``.

    Raises:
        ValueError: A spec without a name, a duplicate name, or an option
            that is not ``KEY=VALUE``.
    """
    variants = OrderedDict()
    for spec in specs:
        name, sep, opts = spec.partition('=')
        if not sep or not name or not name.replace('-', '_').isidentifier():
            raise ValueError(
                f'--variants {spec!r}: write NAME= or NAME=KEY=VALUE (NAME: '
                'letters, digits, - and _)')
        if name in variants:
            raise ValueError(f'--variants: {name!r} is given twice')
        options = opts.split()
        for opt in options:
            if '=' not in opt or opt.startswith('='):
                raise ValueError(
                    f'--variants {spec!r}: {opt!r} is not KEY=VALUE')
        variants[name] = options
    return variants


class Run:
    """One training (config, k, seed) and its tests.

    Args:
        name (str): Folder name under ``WORK_DIR/runs``.
        model (str): The row label (``k=2`` or the baseline's name).
        config (str): The config file.
        k (int | None): ``model.neck.num_modules``; ``None`` for baselines.
        seed (int): ``randomness.seed``.
        run_dir (str): The training work directory.
        cfg_options (list[str]): Options for training and testing.
    """

    def __init__(self, name, model, config, k, seed, run_dir, cfg_options):
        self.name, self.model, self.config = name, model, config
        self.k, self.seed, self.run_dir = k, seed, run_dir
        self.options = [f'randomness.seed={seed}']
        if k is not None:
            self.options.append(f'model.neck.num_modules={k}')
        self.options += list(cfg_options)
        # read once, in the main thread: mmengine's config loading is not
        # thread-safe (its package lookup through pkg_resources)
        self.train_digest = config_digest(config, TRAIN_KEYS)
        self.test_digest = config_digest(config, TEST_KEYS)

    def test_dir(self, variant):
        return osp.join(self.run_dir, f'test_{variant}')

    def fingerprint(self):
        return dict(config=osp.abspath(self.config), options=self.options)


def plan_runs(args):
    """The runs of the sweep, k-major so that parallel jobs mix k values."""
    runs_dir = osp.join(args.work_dir, 'runs')
    runs = []
    for seed in args.seeds:
        for k in args.num_modules:
            name = f'k{k}_s{seed}'
            runs.append(
                Run(name, f'k={k}', args.config, k, seed,
                    osp.join(runs_dir, name), args.cfg_options))
        for cfg in args.baselines:
            stem = osp.splitext(osp.basename(cfg))[0]
            name = f'{stem}_s{seed}'
            runs.append(
                Run(name, stem, cfg, None, seed, osp.join(runs_dir, name),
                    args.cfg_options))
    return runs


def _read_json(path):
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _write_json(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(tmp, path)


def _subprocess(cmd, log_file, cwd):
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    t0 = time.time()
    with open(log_file, 'w') as log:
        log.write(' '.join(cmd) + '\n\n')
        log.flush()
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc.returncode, time.time() - t0


#: config parts a training / a test depends on (digested into their records)
TRAIN_KEYS = ('model', 'train_dataloader', 'train_cfg', 'optim_wrapper',
              'param_scheduler', 'randomness')
TEST_KEYS = ('model', 'test_dataloader', 'test_evaluator')


@functools.lru_cache(maxsize=None)
def config_digest(config, keys):
    """sha256 of the resolved config's ``keys`` (so that an edited model,
    pipeline or evaluator is noticed on a rerun)."""
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    parts = {k: cfg.get(k) for k in keys}
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def find_checkpoint(run_dir, which):
    """The ``'last'`` (``last_checkpoint``) or ``'best'``
    (``best_NE_epoch_*.pth``) checkpoint of a run, or ``None``."""
    if which == 'last':
        path = osp.join(run_dir, 'last_checkpoint')
        if osp.isfile(path):
            with open(path) as f:
                ckpt = f.read().strip()
            ckpt = ckpt if osp.isabs(ckpt) else osp.join(run_dir, ckpt)
            return ckpt if osp.isfile(ckpt) else None
        return None
    best = sorted((f for f in os.listdir(run_dir)
                   if f.startswith('best_NE_epoch_') and f.endswith('.pth')),
                  key=lambda f: int(f[len('best_NE_epoch_'):-4]))
    return osp.join(run_dir, best[-1]) if best else None


def train(run, cwd):
    """Train ``run`` unless a finished training with the same options is
    there; returns its state dict (``status`` 'trained' or 'failed')."""
    state_file = osp.join(run.run_dir, RUN_FILE)
    state = _read_json(state_file)
    if state is not None and state['fingerprint'] != run.fingerprint():
        return dict(
            status='failed',
            error=f'{run.run_dir} holds a run with other options '
            f'({state["fingerprint"]}); use another --work-dir',
            log=state_file)
    digest = run.train_digest
    if state is not None and state['status'] == 'trained':
        _log(f'[{run.name}] trained before ({state["train_seconds"]:.0f} s), '
             'skipped')
        if state.get('config_digest') != digest:
            state = dict(state, config_changed=True)
            _log(f'[{run.name}] WARNING: the model or training settings of '
                 f'{run.config} changed since this run was trained')
        return state
    os.makedirs(run.run_dir, exist_ok=True)
    resume = osp.isfile(osp.join(run.run_dir, 'last_checkpoint'))
    cmd = [
        sys.executable, TRAIN,
        osp.abspath(run.config), '--work-dir', run.run_dir
    ] + (['--resume'] if resume else []) + ['--cfg-options', *run.options]
    _log(f'[{run.name}] training' + (' (resumed)' if resume else ''))
    log = osp.join(run.run_dir, 'ablation_train.out')
    rc, seconds = _subprocess(cmd, log, cwd)
    state = dict(
        status='trained' if rc == 0 else 'failed',
        returncode=rc,
        train_seconds=seconds,
        resumed=resume,
        fingerprint=run.fingerprint(),
        config_digest=digest,
        command=cmd,
        log=log)
    if rc != 0:
        state['error'] = f'tools/train.py exited with {rc}'
    _write_json(state_file, state)
    _log(f'[{run.name}] {state["status"]} in {seconds:.0f} s' +
         ('' if rc == 0 else f' (log: {log})'))
    return state


def test(run, variant, options, which, cwd):
    """Test a trained run under one variant unless done before; returns the
    test state (``status`` 'done' or 'failed')."""
    test_dir = run.test_dir(variant)
    state_file = osp.join(test_dir, TEST_FILE)
    state = _read_json(state_file)
    fingerprint = dict(
        run.fingerprint(),
        variant=options,
        checkpoint=which,
        config_digest=run.test_digest)
    if state is not None and state['status'] == 'done':
        if state['fingerprint'] == fingerprint:
            return state
        return dict(
            status='failed',
            error=f'{test_dir} holds a test with other options or an older '
            'model / test set / evaluator in the config; delete that folder '
            'to test again, or name a new variant',
            log=state_file)
    ckpt = find_checkpoint(run.run_dir, which)
    if ckpt is None:
        return dict(
            status='failed',
            error=f'no {which} checkpoint in {run.run_dir}',
            log=osp.join(run.run_dir, 'ablation_train.out'))
    os.makedirs(test_dir, exist_ok=True)
    metrics, preds = osp.join(test_dir, 'metrics.json'), osp.join(
        test_dir, 'preds.json')
    cmd = [
        sys.executable, TEST,
        osp.abspath(run.config), ckpt, '--work-dir', test_dir, '--out',
        metrics, '--dump', preds, '--cfg-options', *run.options, *options
    ]
    log = osp.join(test_dir, 'ablation_test.out')
    rc, seconds = _subprocess(cmd, log, cwd)
    ok = rc == 0 and osp.isfile(metrics)
    state = dict(
        status='done' if ok else 'failed',
        returncode=rc,
        test_seconds=seconds,
        checkpoint=ckpt,
        fingerprint=fingerprint,
        command=cmd,
        log=log)
    if not ok:
        state['error'] = f'tools/test.py exited with {rc}'
    _write_json(state_file, state)
    _log(f'[{run.name}] test {variant}: {state["status"]}' +
         ('' if ok else f' (log: {log})'))
    return state


def execute(run, variants, which, cwd):
    """Train then test one run; returns ``dict(train=..., tests={...})``."""
    state = train(run, cwd)
    tests = OrderedDict()
    for name, options in variants.items():
        if state['status'] != 'trained':
            tests[name] = dict(status='skipped')
        else:
            tests[name] = test(run, name, options, which, cwd)
    return dict(train=state, tests=tests)


def collect(run, variants):
    """What a run folder holds, without running anything (--report-only)."""
    state = _read_json(osp.join(run.run_dir, RUN_FILE))
    if state is None:
        state = dict(status='missing')
    tests = OrderedDict()
    for name in variants:
        tests[name] = _read_json(osp.join(run.test_dir(name),
                                          TEST_FILE)) or dict(status='missing')
    return dict(train=state, tests=tests)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    p.add_argument('config', help='the GLE config (k via model.neck)')
    p.add_argument(
        '--num-modules',
        type=int,
        nargs='+',
        default=[0, 1, 2, 3],
        help='values of k (model.neck.num_modules)')
    p.add_argument(
        '--seeds',
        type=int,
        nargs='+',
        default=[1234, 42, 7],
        help='values of randomness.seed')
    p.add_argument(
        '--baselines',
        nargs='*',
        default=[],
        help='extra configs trained with the same seeds, as baseline rows')
    p.add_argument(
        '--variants',
        nargs='+',
        default=['default='],
        help='test-time variants NAME=[KEY=VALUE ...] (default: default=)')
    p.add_argument(
        '--checkpoint',
        choices=['last', 'best'],
        default='last',
        help='checkpoint to test: the last one or the best on val NE')
    p.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='KEY=VALUE options for every training and test')
    p.add_argument(
        '--extra-metrics',
        nargs='+',
        default=[],
        metavar='KEY',
        help='more metric keys of the evaluator as table columns (rates, '
        'e.g. LR/hem/collapsed LR/hem/swapped); the report only')
    p.add_argument(
        '--jobs', type=int, default=1, help='runs in parallel (processes)')
    p.add_argument('--work-dir', default='work_dirs/ablation')
    p.add_argument(
        '--out-table', help='markdown table (default: WORK_DIR/ablation.md)')
    p.add_argument(
        '--out-figure', help='PNG figure (default: WORK_DIR/ablation.png)')
    p.add_argument(
        '--report-only',
        action='store_true',
        help='run nothing; rebuild the table and figure from WORK_DIR')
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error('--jobs must be >= 1')
    for path in [args.config, *args.baselines]:
        if not osp.isfile(path):
            p.error(f'config not found: {path}')
    for opt in args.cfg_options:
        if '=' not in opt:
            p.error(f'--cfg-options {opt!r} is not KEY=VALUE')
    try:
        args.variants = parse_variants(args.variants)
    except ValueError as e:
        p.error(str(e))
    args.work_dir = osp.abspath(args.work_dir)
    args.out_table = args.out_table or osp.join(args.work_dir, 'ablation.md')
    args.out_figure = args.out_figure or osp.join(args.work_dir,
                                                  'ablation.png')
    return args


def main(argv=None):
    args = parse_args(argv)
    cwd = os.getcwd()
    runs = plan_runs(args)
    os.makedirs(args.work_dir, exist_ok=True)
    t0 = time.time()
    if args.report_only:
        results = [collect(r, args.variants) for r in runs]
    else:
        _log(f'{len(runs)} runs x {len(args.variants)} test variant(s), '
             f'{args.jobs} at a time, in {args.work_dir}')
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(
                pool.map(
                    lambda r: execute(r, args.variants, args.checkpoint, cwd),
                    runs))
    argv = sys.argv[1:] if argv is None else argv
    command = ' '.join(['python', 'tools/analysis/ablation.py'] +
                       [shlex.quote(a) for a in argv])
    summary = report.write_report(runs, results, args, command)
    _log(f'table: {args.out_table}\nfigure: {args.out_figure}\n'
         f'{summary["finished"]} of {summary["total"]} run/variant tests '
         f'finished, {len(summary["failed"])} failed '
         f'({time.time() - t0:.0f} s)')
    for line in summary['failed']:
        _log(f'  FAILED {line}')
    return summary


if __name__ == '__main__':
    # exit status 1 when a run or a test failed (the report lists them)
    sys.exit(1 if main()['failed'] else 0)
