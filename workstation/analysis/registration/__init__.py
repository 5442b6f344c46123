"""Registration and resampling: the rigid PET-to-anatomy proposal and resampling one grid onto another through world
coordinates."""
