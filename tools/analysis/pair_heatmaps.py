#!/usr/bin/env python
"""How different the two heatmaps of each left/right pair are.

A model that cannot tell the left landmark of a pair from the right one
gives both channels the same map: one peak at each landmark, near-equal
heights (the minimum of the heatmap loss when the two are indistinguishable
is the average of the two targets). Argmax decoding then puts both landmarks
on one spot (``LR/collapsed``, docs/metrics.md). This tool measures it
directly on the model's own output (the head's forward pass on the split's
crops, no flip test, no decoding): for every item where both landmarks of a
pair are visible,

    difference = max |H_left - H_right| / max(max H_left, max H_right)

0 for identical channels, about 1 when each channel has only its own peak.
It prints, per pair, the number of items, the median difference and the
share of items under ``--same-below`` (0.1: "the same map"), and draws the
two channels of ``--pair`` for the first ``--num-items`` such items (one
row per item: the input crop with the two ground truths, left yellow, right
red, then H_left and H_right on one colour scale). Example
(docs/ablation.md)::

    python tools/analysis/pair_heatmaps.py \
        configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-context-96x96.py \
        work_dirs/ablation_context/runs/k2_s1234/epoch_30.pth \
        --out-figure docs/images/context_hem_heatmaps.png
"""
import argparse
import json
import os
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmengine.utils import import_modules_from_strings

from gle.utils import (format_table, load_pair_layout, pair_name,
                       safe_checkpoint_loading)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument(
        '--split',
        choices=['train', 'val', 'test'],
        default='test',
        help='the config dataloader whose dataset is read')
    parser.add_argument(
        '--pair', default='hem', help='the pair drawn in the figure')
    parser.add_argument(
        '--num-items', type=int, default=6, help='rows of the figure')
    parser.add_argument(
        '--same-below',
        type=float,
        default=0.1,
        help='difference under which two channels count as the same map')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--out-figure', help='PNG of the --pair channels')
    parser.add_argument('--out', help='JSON with the per-pair statistics')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings (e.g. model.neck.num_modules=0)')
    args = parser.parse_args(argv)
    for path in (args.config, args.checkpoint):
        if not osp.isfile(path):
            parser.error(f'file not found: {path}')
    if args.num_items < 0 or args.batch_size < 1:
        parser.error('--num-items must be >= 0 and --batch-size >= 1')
    return args


def channel_difference(left, right):
    """Relative difference of two heatmaps.

    Args:
        left (np.ndarray): Heatmaps of the left landmark, shape (N, H, W).
        right (np.ndarray): Heatmaps of the right landmark, shape (N, H, W).

    Returns:
        np.ndarray: ``max |left - right| / max(max left, max right)`` per
        item, shape (N,); 0 where both maps are nowhere positive.
    """
    num = len(left)
    diff = np.abs(left - right).reshape(num, -1).max(1)
    scale = np.maximum(
        left.reshape(num, -1).max(1),
        right.reshape(num, -1).max(1))
    out = np.zeros(num)
    positive = scale > 0
    out[positive] = diff[positive] / scale[positive]
    return out


def build(cfg, checkpoint, split):
    """The model with its weights, and the split's dataset."""
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    from mmpose.registry import DATASETS, MODELS
    model = MODELS.build(cfg.model)
    with safe_checkpoint_loading():
        load_checkpoint(model, checkpoint, map_location='cpu', logger='silent')
    dataset_cfg = cfg[f'{split}_dataloader'].dataset
    # the ground truths in the crop's frame, for the figure
    for step in dataset_cfg.pipeline:
        if step['type'] == 'PackPoseInputs':
            step['pack_transformed'] = True
    dataset = DATASETS.build(dataset_cfg)
    return model.eval(), dataset


@torch.no_grad()
def heatmaps_of(model, dataset, batch_size):
    """The head's heatmaps of every item, and the packed inputs.

    Returns:
        tuple: heatmaps (np.ndarray, shape (N, K, H, W)), input crops
        (np.ndarray, uint8 RGB, shape (N, h, w, 3)), ground-truth keypoints
        in the crop (np.ndarray, shape (N, K, 2)), their visibility
        (np.ndarray, shape (N, K)).
    """
    heatmaps, crops, keypoints, visible = [], [], [], []
    for start in range(0, len(dataset), batch_size):
        batch = pseudo_collate([
            dataset[i]
            for i in range(start, min(start + batch_size, len(dataset)))
        ])
        crops += [
            np.ascontiguousarray(x.permute(1, 2, 0).numpy()[..., ::-1])
            for x in batch['inputs']
        ]
        data = model.data_preprocessor(batch)
        feats = model.extract_feat(data['inputs'])
        heatmaps.append(model.head.forward(feats).cpu().numpy())
        for sample in data['data_samples']:
            inst = sample.gt_instances
            keypoints.append(np.asarray(inst.transformed_keypoints)[0])
            visible.append(np.asarray(inst.keypoints_visible)[0])
    return (np.concatenate(heatmaps), np.stack(crops),
            np.stack(keypoints).astype(float), np.stack(visible))


def pair_statistics(heatmaps, visible, pairs, id2name, same_below):
    """Per pair: items with both landmarks visible, median difference,
    share of items under ``same_below``."""
    stats = {}
    for left, right in pairs:
        mask = (visible[:, left] > 0) & (visible[:, right] > 0)
        hm_left, hm_right = heatmaps[mask, left], heatmaps[mask, right]
        diff = channel_difference(hm_left, hm_right)
        stats[pair_name(id2name[left], id2name[right])] = dict(
            channels=[left, right],
            items=int(mask.sum()),
            median_difference=float(np.median(diff)) if len(diff) else None,
            same_share=float(
                (diff < same_below).mean()) if len(diff) else None,
            differences=diff.tolist())
    return stats


def draw(crops, heatmaps, keypoints, visible, channels, out_file, num_items,
         pair):
    """One row per item: crop with both ground truths, H_left, H_right."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    left, right = channels
    rows = np.flatnonzero((visible[:, left] > 0)
                          & (visible[:, right] > 0))[:num_items]
    if not len(rows):
        raise ValueError(f'no item with both {pair} landmarks visible')
    fig, axes = plt.subplots(
        len(rows), 3, figsize=(6, 2.05 * len(rows)), squeeze=False)
    hm_h, hm_w = heatmaps.shape[2:]
    crop_h, crop_w = crops.shape[1:3]
    for row, i in zip(axes, rows):
        top = max(heatmaps[i, left].max(), heatmaps[i, right].max(), 1e-6)
        diff = channel_difference(heatmaps[i:i + 1, left], heatmaps[i:i + 1,
                                                                    right])[0]
        row[0].imshow(crops[i])
        for k, colour in ((left, 'yellow'), (right, 'red')):
            row[0].plot(*keypoints[i, k], 'o', ms=6, mfc=colour, mec='k')
        row[0].set_title(f'item {i}: difference {diff:.2f}', fontsize=8)
        for ax, k, side in ((row[1], left, 'left'), (row[2], right, 'right')):
            ax.imshow(
                heatmaps[i, k],
                cmap='jet',
                vmin=0,
                vmax=top,
                extent=(-0.5 * crop_w / hm_w, crop_w - 0.5 * crop_w / hm_w,
                        crop_h - 0.5 * crop_h / hm_h, -0.5 * crop_h / hm_h))
            for kk, colour in ((left, 'yellow'), (right, 'red')):
                ax.plot(*keypoints[i, kk], '+', ms=7, mew=1.5, c=colour)
            ax.set_title(
                f'{side} {pair}, max {heatmaps[i, k].max():.2f}', fontsize=8)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    fig.savefig(out_file, dpi=80)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model, dataset = build(cfg, args.checkpoint, args.split)
    heatmaps, crops, keypoints, visible = heatmaps_of(model, dataset,
                                                      args.batch_size)
    pairs, id2name = load_pair_layout(dataset.metainfo)
    stats = pair_statistics(heatmaps, visible, pairs, id2name, args.same_below)
    if args.pair not in stats:
        raise SystemExit(f'--pair {args.pair!r}: the dataset has the pairs '
                         f'{", ".join(stats)}')
    rows = [[
        name, s['items'],
        '-' if s['items'] == 0 else f'{s["median_difference"]:.3f}',
        '-' if s['items'] == 0 else f'{s["same_share"]:.3f}'
    ] for name, s in stats.items()]
    print(f'{args.split} split, {len(dataset)} items, {args.checkpoint}')
    print(
        format_table([[
            'pair', 'items', 'median difference',
            f'share < {args.same_below:g}'
        ]] + rows))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(
                dict(
                    config=args.config,
                    checkpoint=args.checkpoint,
                    split=args.split,
                    same_below=args.same_below,
                    pairs=stats),
                f,
                indent=1)
    if args.out_figure and args.num_items:
        draw(crops, heatmaps, keypoints, visible, stats[args.pair]['channels'],
             args.out_figure, args.num_items, args.pair)
        print(f'figure: {args.out_figure}')
    return stats


if __name__ == '__main__':
    main()
