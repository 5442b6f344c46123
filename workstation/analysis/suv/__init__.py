"""Standardized uptake value: the factor, its inputs and provenance, applying it to a PET, body-size normalisers."""
