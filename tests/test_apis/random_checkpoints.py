"""Random-weights checkpoints of the demo configs, saved as training would
(``state_dict`` + ``meta.dataset_meta``), for inference tests."""
import os.path as osp

import torch

REPO = osp.normpath(osp.join(osp.dirname(__file__), '..', '..'))
POSE_CONFIG = osp.join(REPO, 'configs', 'gle',
                       'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
DET_CONFIG = osp.join(REPO, 'configs', 'det',
                      'rtmdet-tiny_1xb8-20e_fashion-demo-det.py')
SAMPLE_DIR = osp.join(REPO, 'tests', 'data', 'fld_coco_sample')
SAMPLE_IMAGES = ('img_00000128.jpg', 'img_00000132.jpg')


def save_random_checkpoints(folder) -> dict:
    """Write ``pose.pth`` and ``det.pth`` under ``folder``; return paths."""
    from mmdet.apis import init_detector
    from mmpose.apis import init_model

    import gle  # noqa: F401  (registration)
    from gle.detection import FashionDetDataset

    torch.manual_seed(0)
    paths = dict(
        pose=osp.join(str(folder), 'pose.pth'),
        det=osp.join(str(folder), 'det.pth'))
    pose = init_model(POSE_CONFIG, None, device='cpu')
    torch.save(
        dict(
            state_dict=pose.state_dict(),
            meta=dict(dataset_meta=pose.dataset_meta)), paths['pose'])
    # the detector's weights do not depend on the pose config
    torch.manual_seed(0)
    det = init_detector(DET_CONFIG, None, device='cpu')
    # RTMDet regresses box side distances linearly (exp_on_reg=False): random
    # weights give boxes of about zero size, which the pipeline rightly drops.
    # A positive bias on the regression outputs makes every prior a box of a
    # few strides (still random).
    with torch.no_grad():
        for reg in det.bbox_head.rtm_reg:
            reg.bias.fill_(2.0)
    torch.save(
        dict(
            state_dict=det.state_dict(),
            meta=dict(dataset_meta=dict(FashionDetDataset.METAINFO))),
        paths['det'])
    return paths
