"""Brain FDG PET against a normal database the site builds: head finding, spatial normalisation to
MNI152 (PET-only), the site's normal databases, voxel z-maps, clusters, 3D-SSP surface projections
(Minoshima 1995), pattern scores and the regional SUVR / z / asymmetry table. No Qt, no VTK."""
