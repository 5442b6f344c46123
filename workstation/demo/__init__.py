"""The synthetic demo studies: the phantom, the FDG PET/CT study a scanner would write, and its truth read back."""
