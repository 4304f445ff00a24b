"""Live end-to-end runs against charts drawn by real charting libraries (a browser under Xvfb)."""
