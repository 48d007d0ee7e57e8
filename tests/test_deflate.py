"""The fonts a PDF embeds whole are compressed once (`mentorkit.deflate`): once per process, and
once for all later builds when kept in the cache folder; the PDF is the same bytes."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zlib

import pytest

from mentorkit import deflate

RENDER = """
import sys
from pathlib import Path
html = ('<html lang="en"><body><h1>Feedback</h1><p>What <b>helped</b> most?</p>'
        '<form><input name="q1"><textarea name="q2"></textarea></form></body></html>')
if sys.argv[1] == "plain":
    import weasyprint
    from mentorkit.workers import PDF_OPTIONS
    options = {"pdf_forms": True, **PDF_OPTIONS}
    pdfs = [weasyprint.HTML(string=html, base_url="file:///nowhere/").write_pdf(**options) for _ in range(2)]
    large = -1
else:
    from mentorkit import deflate, workers
    workers.keep(Path(sys.argv[1]))
    large, compress = 0, deflate._compress
    def counted(data, settings):
        global large
        large += len(data) >= deflate.LARGE
        return compress(data, settings)
    deflate._compress = counted
    pdfs = [workers.render(("t", html, "file:///nowhere/", [], True))[1] for _ in range(2)]
assert pdfs[0] == pdfs[1]
sys.stdout.buffer.write(pdfs[0])
sys.stderr.write(str(large))
"""


def _render(how: str) -> tuple[bytes, int]:
    done = subprocess.run([sys.executable, "-c", RENDER, how], capture_output=True, check=True)
    return done.stdout, int(done.stderr.decode().strip().splitlines()[-1])


def test_fonts_are_compressed_once_and_the_pdf_is_the_same_bytes(tmp_path):
    plain, _ = _render("plain")
    first, large = _render(str(tmp_path))
    assert large == 1  # the font of the form fields, whole: once for both renders
    assert first == plain
    assert len(list((tmp_path / "deflate").iterdir())) == 1
    later, large = _render(str(tmp_path))
    assert large == 0 and later == plain  # read from the folder


def test_a_damaged_entry_is_compressed_again(tmp_path):
    plain, _ = _render("plain")
    _render(str(tmp_path))
    (entry,) = (tmp_path / "deflate").iterdir()
    good = entry.read_bytes()
    entry.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    data, large = _render(str(tmp_path))
    assert large == 1 and data == plain and entry.read_bytes() == good


@pytest.mark.parametrize("size", [10, deflate.LARGE + 5000])
def test_the_stand_in_compresses_as_zlib_does(size, tmp_path):
    rng = random.Random(size)
    data = bytes(rng.choice(b"abcdefgh ") for _ in range(size))
    module = deflate.stand_in(tmp_path)
    for level in (9, 6, -1):
        stand, real = module.compressobj(level=level), zlib.compressobj(level=level)
        assert stand.compress(data[:7]) + stand.compress(data[7:]) + stand.flush() == \
            real.compress(data[:7]) + real.compress(data[7:]) + real.flush()
        with pytest.raises(zlib.error):
            stand.compress(b"more")  # finished, as a real one is
    # anything but "everything, then flush" is handed to a real compressor, nothing lost
    stand, real = module.compressobj(9), zlib.compressobj(9)
    assert (stand.compress(data) + stand.flush(zlib.Z_SYNC_FLUSH) + stand.compress(b"tail") + stand.flush()
            == real.compress(data) + real.flush(zlib.Z_SYNC_FLUSH) + real.compress(b"tail") + real.flush())
    assert module.decompress is zlib.decompress


def test_the_folder_keeps_the_latest_used_entries(tmp_path):
    for n in range(deflate.KEEP + 3):
        data = os.urandom(16) * (deflate.LARGE // 16 + n)
        assert zlib.decompress(deflate.compressed(data, ((9,), ()), tmp_path)) == data
    assert len(list(tmp_path.iterdir())) == deflate.KEEP
