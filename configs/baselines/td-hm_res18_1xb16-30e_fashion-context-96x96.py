# MMPose's stock top-down heatmap baseline (SimpleBaseline: ResNet +
# HeatmapHead deconvolutions, MSRAHeatmap Gaussian targets at stride 4) on the
# bundled view-dependent synthetic set (demo/data/fashion_context, FLD raw
# format, read by the real FLDDataset loader), scored with the same
# NormalizedError. Model, recipe and pipeline are those of
# td-hm_res18_1xb16-30e_fashion-demo-96x96.py (inherited: only the data
# differs). The baseline row of tools/analysis/ablation.py; compare with
# configs/gle/td-hm_res18w32-gle2_1xb16-30e_fashion-context-96x96.py.
# python tools/train.py
# configs/baselines/td-hm_res18_1xb16-30e_fashion-context-96x96.py
_base_ = ['./td-hm_res18_1xb16-30e_fashion-demo-96x96.py']

# data
dataset_type = 'FLDDataset'
# resolved from this file's folder, so the config runs from any working
# directory
data_root = '{{ fileDirname }}/../../demo/data/fashion_context/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader  # merged into the base's test loader
