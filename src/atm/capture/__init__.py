"""Frame sources: the only package that touches the screen, windows or files of frames."""
