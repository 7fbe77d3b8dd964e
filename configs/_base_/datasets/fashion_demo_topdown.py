# Data loaders for the bundled synthetic demo set (demo/data/fashion_demo,
# DeepFashion-C raw format, read by the real DeepFashionCDataset loader), sized
# for 2 CPU cores: the DeepFashion-C loaders of deepfashion_c_topdown.py with
# batch 16 and 2 workers. Pipelines: as in deepfashion_c_topdown.py.
_base_ = ['./deepfashion_c_topdown.py']

# resolved from this file's folder, so the configs run from any working
# directory
data_root = '{{ fileDirname }}/../../../demo/data/fashion_demo/'
train_dataloader = dict(
    batch_size=16, num_workers=2, dataset=dict(data_root=data_root))
val_dataloader = dict(
    batch_size=16, num_workers=2, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader  # merged into the base's test loader
