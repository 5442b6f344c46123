"""Quantification panels: VOIs, their outlines, the lesion table, the study's structures, SUV settings and the
segmentation constraint tool."""
