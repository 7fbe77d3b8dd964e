"""Table and figure of ``tools/analysis/ablation.py``.

Reads what the runs left on disk: ``tools/test.py --out metrics.json`` (the
test metrics), ``--dump preds.json`` (per-item predictions, regrouped per
view with the config's own evaluator) and mmengine's
``<timestamp>/vis_data/scalars.json`` (validation metrics per epoch).
"""
import argparse
import glob
import itertools
import json
import math
import os.path as osp
import re
import sys
from collections import OrderedDict

import numpy as np

sys.path.insert(
    0,
    osp.join(
        osp.dirname(osp.dirname(osp.abspath(__file__))), 'dataset_converters'))
import garment_lists  # noqa: E402

LANDMARKS = ('left_collar', 'right_collar', 'left_sleeve', 'right_sleeve',
             'left_waistline', 'right_waistline', 'left_hem', 'right_hem')
#: (column, metric key, kind) of the table
COLUMNS = [('NE', 'NE', 'ne')] + [
    (f'{n.split("_")[0][0].upper()}.{n.split("_")[1].title()}', f'NE/{n}',
     'ne') for n in LANDMARKS
] + [('wrong-side', 'LR/wrong_side', 'rate'),
     ('collapsed', 'LR/collapsed', 'rate')]
CURVE_KEYS = (('NE', 'validation NE'), ('LR/wrong_side',
                                        'validation wrong-side rate'))
SUBSETS = ('all', ) + garment_lists.VIEWS
_TIMESTAMP = re.compile(r'^\d{8}_\d{6}$')
_LOGGER_IDS = itertools.count()


def _fmt(value, kind):
    if kind == 'ne':
        text = f'{value:.4f}'
        return text[1:] if text.startswith('0.') else text
    if kind == 'rate':
        return f'{value:.3f}'
    return f'{value:.0f}'


def mean_std(values, kind):
    """``'.0312 ± .0021'`` over the finite values; one value alone, ``'-'``
    for none (sample std, ddof=1)."""
    vals = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not vals:
        return '-'
    if len(vals) == 1:
        return _fmt(vals[0], kind)
    return (f'{_fmt(float(np.mean(vals)), kind)} ± '
            f'{_fmt(float(np.std(vals, ddof=1)), kind)}')


def markdown_table(rows):
    """Markdown table from a header row and body rows (``gle.utils.
    format_table`` writes plain text; markdown needs pipes and a rule)."""
    lines = ['| ' + ' | '.join(str(c) for c in rows[0]) + ' |']
    lines.append('|' + '|'.join(' --- ' for _ in rows[0]) + '|')
    lines += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows[1:]]
    return '\n'.join(lines)


def read_val_curves(run_dir):
    """Validation metrics per epoch from ``run_dir/<timestamp>/vis_data/
    scalars.json`` (all timestamps, so a resumed run is complete).

    Returns:
        dict: epoch -> {metric key: value}.
    """
    curves = {}
    pattern = osp.join(run_dir, '*', 'vis_data', 'scalars.json')
    for path in sorted(glob.glob(pattern)):
        if not _TIMESTAMP.match(osp.basename(osp.dirname(osp.dirname(path)))):
            continue
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                rec = json.loads(line)
                if 'NE' in rec and 'step' in rec:  # a validation line
                    curves[int(rec['step'])] = rec
    return curves


def _merged_cfg(config, options):
    from mmengine.config import Config, DictAction
    cfg = Config.fromfile(config)
    if options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *options]).o)
    return cfg


def view_file_of(cfg):
    """The ``Anno/list_view.txt`` next to the test data, or ``None``."""
    root = cfg.test_dataloader.dataset.get('data_root')
    path = osp.join(root, garment_lists.VIEW_FILE) if root else None
    return path if path and osp.isfile(path) else None


def evaluate_by_view(config, options, preds_file):
    """Metrics of one test per view, from its dumped predictions.

    The predictions (``tools/test.py --dump preds.json``) are joined by
    ``id`` with the ground truth of the config's test set and grouped by
    ``Anno/list_view.txt``; each group is scored by an ``Evaluator`` built
    from the config's own ``test_evaluator`` (so every metric of the config,
    NE and the left/right outcomes alike, is computed by the project's code).

    Args:
        config (str): The run's config.
        options (list[str]): Its cfg-options (run and variant).
        preds_file (str): The dumped predictions.

    Returns:
        dict | None: ``{'all': metrics, 'front': metrics, ...}`` (views with
        no test item left out), ``None`` without a view list.
    """
    from mmengine.evaluator import Evaluator
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope
    from mmpose.registry import DATASETS

    import gle  # noqa: F401 (registers the datasets and metrics)

    cfg = _merged_cfg(config, options)
    view_file = view_file_of(cfg)
    if view_file is None:
        return None
    init_default_scope('mmpose')
    # the evaluator logs its NE table at INFO to the latest logger; a new
    # WARNING-level one keeps the tool's output short
    MMLogger.get_instance(
        f'ablation_report_{next(_LOGGER_IDS)}', log_level='WARNING')
    views = garment_lists.read_views(view_file)
    ds_cfg = cfg.test_dataloader.dataset.copy()
    ds_cfg['pipeline'] = []
    dataset = DATASETS.build(ds_cfg)
    infos = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        infos[info['id']] = info
    with open(preds_file) as f:
        preds = json.load(f)
    groups = OrderedDict((s, []) for s in SUBSETS)
    for pred in preds:
        info = infos.get(pred['id'])
        if info is None:
            raise ValueError(f'{preds_file}: prediction id {pred["id"]} is '
                             'not in the test set of the config')
        name = info['raw_ann_info']['image_name']
        if name not in views:
            raise ValueError(f'{view_file}: no view for {name}; regenerate '
                             'the set')
        sample = dict(
            id=info['id'],
            img_id=info['img_id'],
            img_path=info['img_path'],
            clothes_type=info['clothes_type'],
            variation_type=info['variation_type'],
            gt_instances=dict(
                keypoints=info['keypoints'],
                keypoints_visible=info['keypoints_visible'],
                bboxes=info['bbox']),
            pred_instances=dict(
                keypoints=np.asarray(pred['keypoints'],
                                     dtype=np.float32)[None],
                keypoint_scores=np.asarray(
                    pred['keypoint_scores'], dtype=np.float32)[None]))
        groups['all'].append(sample)
        groups[views[name][0]].append(sample)
    evaluator = Evaluator(cfg.test_evaluator)
    evaluator.dataset_meta = dataset.metainfo
    return {
        subset: evaluator.offline_evaluate(samples, chunk_size=len(samples))
        for subset, samples in groups.items() if samples
    }


def _test_metrics(run, variant, options, state):
    """(metrics, per-view metrics or None, a problem or None) of one test;
    the per-view metrics are cached next to the predictions."""
    test_dir = run.test_dir(variant)
    with open(osp.join(test_dir, 'metrics.json')) as f:
        metrics = json.load(f)
    cache = osp.join(test_dir, 'metrics_by_view.json')
    preds = osp.join(test_dir, 'preds.json')
    if osp.isfile(cache) and osp.getmtime(cache) >= osp.getmtime(preds):
        with open(cache) as f:
            by_view = json.load(f)
    else:
        by_view = evaluate_by_view(run.config, run.options + options, preds)
        with open(cache, 'w') as f:
            json.dump(by_view, f, indent=1)
    problem = None
    if by_view is not None:
        a, b = by_view['all'].get('NE'), metrics.get('NE')
        if a is not None and b is not None and abs(a - b) > 1e-6:
            problem = (f'{run.name} / {variant}: per-view regrouping gives NE '
                       f'{a:.6f}, tools/test.py {b:.6f}; view rows dropped')
            by_view = None
    return metrics, by_view, problem


def _model_order(runs):
    order = []
    for r in runs:
        if r.model not in order:
            order.append(r.model)
    return order


def write_report(runs, results, args, command):
    """Write the markdown table, the figure and ``ablation.json``.

    Args:
        runs (list[Run]): The planned runs.
        results (list[dict]): ``dict(train=state, tests={variant: state})``
            per run.
        args (argparse.Namespace): The tool's arguments.
        command (str): The command line, quoted in the table's header.

    Returns:
        dict: ``finished`` / ``total`` test counts and the ``failed`` lines.
    """
    failed, notes, raw = [], [], OrderedDict()
    cells = {}  # (model, variant, subset) -> list of metric dicts
    times = {}  # model -> train seconds of the finished runs
    finished = 0
    for run, res in zip(runs, results):
        tr = res['train']
        raw[run.name] = dict(train=tr, tests=OrderedDict())
        if tr['status'] == 'failed':
            failed.append(f'{run.name}: {tr.get("error", "training failed")}'
                          f' (log: {tr.get("log")})')
        elif tr['status'] == 'trained':
            times.setdefault(run.model, []).append(tr['train_seconds'])
            if tr.get('resumed'):
                notes.append(f'{run.name} was resumed after an interruption: '
                             'its time leaves out the interrupted part')
            if tr.get('config_changed'):
                notes.append(f'{run.name} was trained before the model or '
                             f'training settings of {run.config} changed')
        for variant, st in res['tests'].items():
            if st['status'] == 'failed':
                failed.append(f'{run.name} / {variant}: '
                              f'{st.get("error", "test failed")} (log: '
                              f'{st.get("log")})')
            if st['status'] != 'done':
                continue
            metrics, by_view, problem = _test_metrics(run, variant,
                                                      args.variants[variant],
                                                      st)
            finished += 1
            if problem:
                notes.append(problem)
            raw[run.name]['tests'][variant] = dict(
                metrics=metrics, by_view=by_view)
            cells.setdefault((run.model, variant, 'all'), []).append(metrics)
            for subset, m in (by_view or {}).items():
                if subset != 'all':
                    cells.setdefault((run.model, variant, subset),
                                     []).append(m)

    columns = COLUMNS + [(key, key, 'rate')
                         for key in getattr(args, 'extra_metrics', [])]
    header = ['model', 'variant', 'subset', 'n'] + [c for c, _, _ in columns
                                                    ] + ['train s']
    rows = [header]
    seeds = len(args.seeds)
    for subset in SUBSETS:
        for model in _model_order(runs):
            for variant in args.variants:
                found = cells.get((model, variant, subset))
                if found is None and subset != 'all':
                    continue
                found = found or []
                row = [model, variant, subset, f'{len(found)}/{seeds}']
                row += [
                    mean_std([m.get(key) for m in found], kind)
                    for _, key, kind in columns
                ]
                row.append(
                    mean_std(times.get(model, []), 's') if subset ==
                    'all' else '-')
                rows.append(row)

    plot_curves(runs, results, args.out_figure)
    text = _markdown(args, command, rows, failed, notes)
    with open(args.out_table, 'w') as f:
        f.write(text)
    with open(osp.join(args.work_dir, 'ablation.json'), 'w') as f:
        json.dump(raw, f, indent=1, default=str)
    total = len(runs) * len(args.variants)
    return dict(finished=finished, total=total, failed=failed, rows=rows)


def _markdown(args, command, rows, failed, notes):
    variants = '; '.join(f'`{name}`: ' +
                         (' '.join(f'`{o}`' for o in opts) or 'as configured')
                         for name, opts in args.variants.items())
    lines = [
        f'# Ablation: {osp.basename(args.config)}', '',
        f'Command: `{command}`', '',
        f'Test split, {args.checkpoint} checkpoint of each run; mean ± std '
        f'over seeds {", ".join(map(str, args.seeds))} (n: finished/seeds); '
        'k = `model.neck.num_modules`. NE (normalized error, visible '
        'landmarks) lower is better; wrong-side and collapsed: the '
        '`LR/wrong_side` and `LR/collapsed` outcome rates ("-" where the '
        'metrics do not report them). Subsets front / back / side: the same '
        'predictions grouped by the data\'s `Anno/list_view.txt`, scored by '
        'the config\'s evaluator. Train s: wall-clock of `tools/train.py` '
        f'(one torch thread, {args.jobs} run(s) in parallel). Variants: '
        f'{variants}.'
    ]
    if args.baselines:
        lines.append('Baselines: ' + ', '.join(f'`{b}`'
                                               for b in args.baselines) + '.')
    lines += ['', markdown_table(rows), '']
    if failed:
        lines += ['Failed (rerun the command to retry):', '']
        lines += [f'- {f}' for f in failed] + ['']
    if notes:
        lines += ['Notes:', ''] + [f'- {n}' for n in notes] + ['']
    lines.append(f'Figure: `{args.out_figure}`.')
    return '\n'.join(lines) + '\n'


def plot_curves(runs, results, out_file):
    """Validation NE and wrong-side rate against epoch: per model the mean
    over its seeds as a line and the min-max spread as a band."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    curves = OrderedDict((m, []) for m in _model_order(runs))
    for run, res in zip(runs, results):
        if res['train']['status'] == 'trained':
            curves[run.model].append(read_val_curves(run.run_dir))
    fig, axes = plt.subplots(1, len(CURVE_KEYS), figsize=(11, 4.2))
    colours = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for ax, (key, title) in zip(axes, CURVE_KEYS):
        drawn = False
        for i, (model, per_seed) in enumerate(curves.items()):
            epochs = sorted({e for c in per_seed for e in c if key in c[e]})
            if not epochs:
                continue
            vals = [[c[e][key] for c in per_seed if e in c and key in c[e]]
                    for e in epochs]
            colour = colours[i % len(colours)]
            ax.plot(
                epochs, [np.mean(v) for v in vals],
                marker='o',
                ms=3,
                color=colour,
                label=f'{model} ({len(per_seed)} seed'
                f'{"s" if len(per_seed) != 1 else ""})')
            ax.fill_between(
                epochs, [min(v) for v in vals], [max(v) for v in vals],
                color=colour,
                alpha=0.2,
                lw=0)
            drawn = True
        ax.set_title(title)
        ax.set_xlabel('epoch')
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        if drawn:
            ax.legend(fontsize=8)
        else:
            ax.text(
                0.5,
                0.5,
                f'no {key} in the validation logs',
                ha='center',
                va='center',
                transform=ax.transAxes)
    fig.suptitle('mean over seeds, band: min-max over seeds', fontsize=9)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
    return out_file
