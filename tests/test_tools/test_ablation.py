"""tools/analysis/ablation.py: the helpers, and the whole tool end to end on a
tiny setting (2 k values x 2 seeds, 2 one-iteration epochs), then a rerun
that must skip the finished runs, add a baseline and a test-time variant,
and report a failing run."""
import json
import os.path as osp
import re

import cv2
import pytest
from script_utils import load_script, run_python

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis', 'ablation.py')
CONFIG = osp.join(REPO, 'configs', 'gle',
                  'td-hm_res18w32-gle2_1xb16-30e_fashion-context-96x96.py')
BASELINE = osp.join(REPO, 'configs', 'baselines',
                    'td-hm_res18_1xb16-30e_fashion-context-96x96.py')
TINY = [
    'train_cfg.max_epochs=2', 'train_cfg.val_interval=1',
    'train_dataloader.dataset.indices=16', 'val_dataloader.dataset.indices=8',
    'test_dataloader.dataset.indices=12', 'default_hooks.checkpoint.interval=1'
] + [
    f'{loader}.{key}'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    for key in ('num_workers=0', 'persistent_workers=False')
]


def _load(name):
    return load_script(osp.join(REPO, 'tools', 'analysis', f'{name}.py'), name)


ablation = _load('ablation')
report = _load('ablation_report')


def _run(args, cwd):
    proc = run_python([TOOL, *args], cwd, timeout=900)
    return proc.returncode, proc.stdout


def _table(md):
    """Rows of the markdown table as dicts keyed by the header."""
    lines = [ln for ln in md.splitlines() if ln.startswith('|')]
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    return [
        dict(zip(header, [c.strip() for c in ln.strip('|').split('|')]))
        for ln in lines[2:]
    ]


def _row(rows, model, variant, subset):
    found = [
        r for r in rows
        if (r['model'], r['variant'], r['subset']) == (model, variant, subset)
    ]
    assert len(found) == 1, (model, variant, subset, rows)
    return found[0]


def test_parse_variants():
    assert ablation.parse_variants(['default=', 'pair=a.b=1 c.d=[1,2]']) == {
        'default': [],
        'pair': ['a.b=1', 'c.d=[1,2]']
    }
    for bad in (['nothing'], ['=a=1'], ['x=a'], ['x=', 'x=']):
        with pytest.raises(ValueError, match='--variants'):
            ablation.parse_variants(bad)


def test_mean_std_and_markdown():
    assert report.mean_std([0.03, 0.05], 'ne') == '.0400 ± .0141'
    assert report.mean_std([0.03, float('nan'), None], 'ne') == '.0300'
    assert report.mean_std([], 'rate') == '-'
    assert report.mean_std([0.25, 0.75], 'rate') == '0.500 ± 0.354'
    md = report.markdown_table([['a', 'b'], [1, '-']])
    assert md.splitlines() == ['| a | b |', '| --- | --- |', '| 1 | - |']


def test_read_val_curves_merges_resumed_logs(tmp_path):
    for stamp, lines in (('20250101_000000', [
            dict(loss=1.0, epoch=1, iter=1, step=1),
            dict(NE=0.5, step=1),
            dict(NE=0.4, step=2)
    ]), ('20250102_000000', [dict(NE=0.3, step=2),
                             dict(NE=0.2, step=3)]), ('test_default',
                                                      [dict(NE=9.0, step=1)])):
        vis = tmp_path / stamp / 'vis_data'
        vis.mkdir(parents=True)
        (vis / 'scalars.json').write_text('\n'.join(map(json.dumps, lines)))
    curves = report.read_val_curves(str(tmp_path))
    assert {e: c['NE'] for e, c in curves.items()} == {1: 0.5, 2: 0.3, 3: 0.2}


def test_find_checkpoint(tmp_path):
    assert ablation.find_checkpoint(str(tmp_path), 'last') is None
    for name in ('epoch_2.pth', 'best_NE_epoch_1.pth', 'best_NE_epoch_10.pth'):
        (tmp_path / name).write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_2.pth'))
    assert ablation.find_checkpoint(str(tmp_path),
                                    'last') == str(tmp_path / 'epoch_2.pth')
    assert ablation.find_checkpoint(str(tmp_path),
                                    'best') == str(tmp_path /
                                                   'best_NE_epoch_10.pth')


@pytest.fixture(scope='module')
def sweep(tmp_path_factory):
    cwd = tmp_path_factory.mktemp('ablation')
    rc, out = _run([
        CONFIG, '--num-modules', '0', '2', '--seeds', '1', '2', '--jobs', '2',
        '--work-dir', 'abl', '--cfg-options', *TINY
    ], str(cwd))
    assert rc == 0, out[-5000:]
    return cwd, out


def test_sweep_writes_one_table_and_one_figure(sweep):
    cwd, out = sweep
    assert '4 of 4 run/variant tests finished, 0 failed' in out
    md = (cwd / 'abl' / 'ablation.md').read_text()
    rows = _table(md)
    for k in ('k=0', 'k=2'):
        row = _row(rows, k, 'default', 'all')
        assert row['n'] == '2/2'
        assert re.fullmatch(r'\.\d{4} ± \.\d{4}', row['NE']), row
        assert re.fullmatch(r'\d+ ± \d+', row['train s']), row
        # the evaluator's left/right outcome rates
        for col in ('wrong-side', 'collapsed'):
            assert re.fullmatch(r'\d\.\d{3} ± \d\.\d{3}', row[col]), row
        for view in ('front', 'back', 'side'):
            assert _row(rows, k, 'default', view)['n'] == '2/2'
    # test metrics are those tools/test.py wrote
    metrics = [
        json.loads((cwd / 'abl' / 'runs' / f'k0_s{s}' / 'test_default' /
                    'metrics.json').read_text())['NE'] for s in (1, 2)
    ]
    mean = sum(metrics) / 2
    assert _row(rows, 'k=0', 'default',
                'all')['NE'].startswith(report.mean_std([mean], 'ne'))
    # the view rows regroup the same predictions: the pair counts add up
    test_dir = cwd / 'abl' / 'runs' / 'k0_s1' / 'test_default'
    by_view = json.loads((test_dir / 'metrics_by_view.json').read_text())
    total = json.loads((test_dir / 'metrics.json').read_text())
    assert by_view['all']['LR/num_pairs'] == total['LR/num_pairs'] == sum(
        by_view.get(v, {}).get('LR/num_pairs', 0)
        for v in ('front', 'back', 'side'))
    fig = cv2.imread(str(cwd / 'abl' / 'ablation.png'))
    assert fig is not None and fig.shape[1] > 800
    # both k values differ in the model actually trained
    cfg = (cwd / 'abl' / 'runs' / 'k2_s1' / 'ablation_run.json').read_text()
    assert 'model.neck.num_modules=2' in cfg


def test_rerun_skips_finished_runs_and_reports_failures(sweep):
    cwd, _ = sweep
    runs = cwd / 'abl' / 'runs'
    before = {p: p.stat().st_mtime_ns for p in runs.glob('k*_s1/*.pth')}
    rc, out = _run([
        CONFIG, '--num-modules', '0', '2', '-1', '--seeds', '1', '--jobs', '2',
        '--work-dir', 'abl', '--baselines', BASELINE, '--variants', 'default=',
        'noflip=model.test_cfg.flip_test=False', '--cfg-options', *TINY
    ], str(cwd))
    assert rc == 1 and 'Traceback' not in out, out[-5000:]  # a run failed
    assert '[k0_s1] trained before' in out and '[k2_s1] trained before' in out
    assert {p: p.stat().st_mtime_ns for p in before} == before
    md = (cwd / 'abl' / 'ablation.md').read_text()
    # the failing run (k=-1 is rejected by GLENeck) is listed with its log
    assert re.search(
        r'- k-1_s1: tools/train.py exited with \d+ \(log: .*'
        r'ablation_train.out\)', md), md
    assert 'num_modules must be >= 0' in (runs / 'k-1_s1' /
                                          'ablation_train.out').read_text()
    rows = _table(md)
    assert _row(rows, 'k=-1', 'default', 'all')['n'] == '0/1'
    base = osp.splitext(osp.basename(BASELINE))[0]
    assert _row(rows, base, 'default', 'all')['n'] == '1/1'
    assert _row(rows, base, 'default', 'back')['n'] == '1/1'
    # the test-time variant really changes the test
    noflip = _row(rows, 'k=2', 'noflip', 'all')['NE']
    assert noflip != _row(rows, 'k=2', 'default', 'all')['NE']
    assert 'model.test_cfg.flip_test=False' in (
        runs / 'k2_s1' / 'test_noflip' / 'ablation_test.json').read_text()

    # --report-only runs nothing and rebuilds the same table
    (cwd / 'abl' / 'ablation.md').unlink()
    rc, out = _run([
        CONFIG, '--num-modules', '0', '2', '-1', '--seeds', '1', '--work-dir',
        'abl', '--baselines', BASELINE, '--variants', 'default=',
        'noflip=model.test_cfg.flip_test=False', '--report-only',
        '--cfg-options', *TINY
    ], str(cwd))
    assert rc == 1 and 'training' not in out, out[-3000:]
    assert 'Traceback' not in out, out[-3000:]
    assert _table((cwd / 'abl' / 'ablation.md').read_text()) == rows

    # --extra-metrics: more columns, read from the same test metrics
    rc, out = _run([
        CONFIG, '--num-modules', '0', '2', '-1', '--seeds', '1', '--work-dir',
        'abl', '--baselines', BASELINE, '--variants', 'default=',
        'noflip=model.test_cfg.flip_test=False', '--report-only',
        '--extra-metrics', 'LR/correct', '--cfg-options', *TINY
    ], str(cwd))
    assert 'Traceback' not in out, out[-3000:]
    extra = _table((cwd / 'abl' / 'ablation.md').read_text())
    value = json.loads((runs / 'k2_s1' / 'test_noflip' /
                        'metrics.json').read_text())['LR/correct']
    assert _row(extra, 'k=2', 'noflip',
                'all')['LR/correct'] == report.mean_std([value], 'rate')
    assert re.fullmatch(r'\d\.\d{3}',
                        _row(extra, 'k=2', 'noflip', 'all')['LR/correct'])
