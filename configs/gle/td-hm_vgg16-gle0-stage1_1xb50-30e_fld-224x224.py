# Two-stage recipe, stage 1 (the authors' advice when FLD training stalls): the
# GLE network WITHOUT its GLE modules (k=0: VGG-16 conv4_3 -> full-resolution
# head), trained with the FLD recipe of
# td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py.
# Next: td-hm_vgg16-gle3-stage2_1xb50-30e_fld-224x224.py loads this run's last
# checkpoint.
_base_ = ['./td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py']

model = dict(neck=dict(num_modules=0))
