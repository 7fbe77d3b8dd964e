# `meta_keys` of PackPoseInputs for the fashion datasets: MMPose's default
# meta keys + the per-sample clothes and variation type, which the
# NormalizedError metric breaks NE down by. Configs take it as a base variable,
# `meta_keys={{_base_.fashion_meta_keys}}`. Equal to
# gle.datasets.FASHION_META_KEYS (tests/test_configs checks it).
fashion_meta_keys = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
                     'ori_shape', 'img_shape', 'input_size', 'input_center',
                     'input_scale', 'flip', 'flip_direction', 'flip_indices',
                     'raw_ann_info', 'dataset_name', 'clothes_type',
                     'variation_type')
