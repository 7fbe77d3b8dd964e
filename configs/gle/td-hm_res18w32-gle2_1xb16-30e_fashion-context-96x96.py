# GLE on the bundled view-dependent synthetic set (demo/data/fashion_context,
# FLD raw format, read by the real FLDDataset loader): garments seen from the
# front, the back and in three-quarter views, labelled as FLD labels them
# (left is on the image right in a back view), where only global context
# tells left from right at the cuffs and hems. Same model, recipe and
# pipeline as the demo config
# (td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py, inherited: only the
# data differs), pair-aware decoding included (a collapsed pair is wrong,
# whatever its NE; plain argmax with --cfg-options
# model.head.decoder.pair_aware=False, docs/ablation.md has both); k is
# model.neck.num_modules (tools/analysis/ablation.py sweeps it).
# A CPU benchmark on synthetic data, not a paper result.
# python tools/train.py
# configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-context-96x96.py
_base_ = ['./td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py']

# data
dataset_type = 'FLDDataset'
# resolved from this file's folder, so the config runs from any working
# directory
data_root = '{{ fileDirname }}/../../demo/data/fashion_context/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader  # merged into the base's test loader
