# Data loaders for DeepFashion-C (Category and Attribute Prediction benchmark),
# read from the raw tree (Anno/, Eval/, img/) by gle's DeepFashionCDataset, one
# clothing item a sample (top-down), with the paper's batch of 50.
# A config that uses this file gives the pipelines (they depend on its codec):
#   train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
#   val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
#   test_dataloader = val_dataloader  # merged into the test loader below
# and may point the loaders elsewhere (type, data_root) the same way.
dataset_type = 'DeepFashionCDataset'
data_mode = 'topdown'
data_root = 'data/deepfashion-c/'
train_dataloader = dict(
    batch_size=50,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        split='train'))
val_dataloader = dict(
    batch_size=50,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        split='val',
        test_mode=True))
# the val loader on the test split (Eval/list_eval_partition.txt)
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
