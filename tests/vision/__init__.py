"""The pure image functions: price axis, lines, perceptual hash."""
