"""The few types every layer shares: an image, a trade direction, a dot reading."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from atm.colors import Color

#: An image: (H, W, 3) uint8 in **RGB** channel order (OpenCV's BGR never leaves
#: `atm.vision`).
Image = npt.NDArray[np.uint8]

#: The side a signal is on.
Direction = Literal["BUY", "SELL"]

#: What the detector reads from one dot: a calibrated colour, or UNKNOWN when no colour
#: is within its tolerance.
Reading = Color | Literal["UNKNOWN"]
