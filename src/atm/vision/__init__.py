"""Pure image functions (array in, result out); the only package that imports OpenCV."""
