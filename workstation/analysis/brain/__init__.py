"""Brain PET (place reserved): normalisation to MNI, the site's normal databases, z-maps, 3D-SSP and regional SUVR."""
