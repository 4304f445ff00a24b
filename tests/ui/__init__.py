"""The Tk wizard and labeler in real windows under Xvfb, driven by xdotool."""
