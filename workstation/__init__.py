"""PET/CT reading and quantification workstation.

Layers (see DESIGN.md): core/kernels (row 1) < io/tasks/settings (row 2)
< analysis/render/recon (row 3) < ui (row 4). Importing this package imports nothing heavy.
"""

__version__ = "0.1.0"
