"""What the reader sees, without Qt: the reading session, view state, the PET on the views, MIP, display grid,
measurements, undo, the saved reading state and key images."""
