"""PNG files are written whole and read back as the same RGB array."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

from atm.vision.image_io import read_image, write_png


def test_write_png_round_trips_rgb_and_leaves_no_temp_file(tmp_path: Path) -> None:
    image = np.zeros((40, 60, 3), np.uint8)
    image[:, :, 0] = 200  # red, so a BGR/RGB swap would show
    image[10:20, 10:20] = (0, 128, 255)
    path = tmp_path / "20261121_224703_gray.png"
    write_png(path, image)
    write_png(path, image)  # over an existing file
    assert np.array_equal(read_image(path), image)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_two_threads_saving_one_frame_do_not_collide(tmp_path: Path) -> None:
    """A fixed temp name let one writer rename the other's file away (FileNotFoundError)."""
    path = tmp_path / "frame.png"
    images = [np.full((300, 400, 3), v, np.uint8) for v in (10, 240)]
    errors: list[BaseException] = []

    def save(image: npt.NDArray[np.uint8]) -> None:
        try:
            for _ in range(30):
                write_png(path, image)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(image,)) for image in images]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert any(np.array_equal(read_image(path), image) for image in images)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
