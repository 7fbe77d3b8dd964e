# GLE on FLD (Fashion Landmark Detection benchmark, "in the wild"), k=3 GLE
# modules.
# Reproduces: Lee et al., ICCV-W 2019, Table 1 FLD row (NE .0568); same recipe
# as the DeepFashion-C config (stretched 224x224 box crop, Adam 1e-4, batch 50,
# 30 epochs, lr x0.1 every 5 epochs, seed 1234, flip with left/right swap, flip
# test without shift). The authors' code never built k=3 (a list compared with
# a string); this config does. If training stalls (reported for the authors'
# code), use the two-stage configs td-hm_vgg16-gle0-stage1_... then
# td-hm_vgg16-gle3-stage2_....
_base_ = ['./td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py']

model = dict(neck=dict(num_modules=3))

dataset_type = 'FLDDataset'
data_root = 'data/fld/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader  # merged into the base's test loader
