# Clothing detector on FLD ("in the wild", 512 px images): the DeepFashion-C
# recipe of rtmdet-tiny_8xb32-100e_deepfashion-c-det.py read from the FLD raw
# tree (its landmark rows carry a variation_type column: fmt='fld'). Classes: 0
# upper, 1 lower, 2 full. mim train mmdet
# configs/det/rtmdet-tiny_8xb32-100e_fld-det.py
_base_ = './rtmdet-tiny_8xb32-100e_deepfashion-c-det.py'

data_fmt = 'fld'
data_root = 'data/fld/'
train_dataloader = dict(dataset=dict(data_root=data_root, fmt=data_fmt))
val_dataloader = dict(dataset=dict(data_root=data_root, fmt=data_fmt))
test_dataloader = val_dataloader  # merged into the base's test loader
