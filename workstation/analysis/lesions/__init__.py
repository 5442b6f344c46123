"""Lesions and regions: segmentation (seeded and whole-body), region statistics, drawn shapes, VOIs, the study's
structures, reference regions (liver, blood pool) and the findings of one reading."""
