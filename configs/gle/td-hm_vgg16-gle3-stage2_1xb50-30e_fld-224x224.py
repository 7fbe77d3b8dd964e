# Two-stage recipe, stage 2: add k=3 GLE modules to the stage-1 network and
# train the whole model with the FLD recipe. The backbone and head start from
# stage 1 (loaded non-strictly by mmengine: the `neck.*` weights are reported
# as missing and keep their own init, the non-local output BN zero-initialised
# so each non-local block starts as the identity). The authors never shipped
# this loader. python tools/train.py
# configs/gle/td-hm_vgg16-gle0-stage1_1xb50-30e_fld-224x224.py python
# tools/train.py configs/gle/td-hm_vgg16-gle3-stage2_1xb50-30e_fld-224x224.py
# (or --cfg-options load_from=PATH to take another stage-1 checkpoint)
_base_ = ['./td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py']

load_from = ('work_dirs/td-hm_vgg16-gle0-stage1_1xb50-30e_fld-224x224/'
             'epoch_30.pth')
# the backbone is already trained: no ImageNet init on top of stage 1
model = dict(backbone=dict(init_cfg=None), neck=dict(num_modules=3))
