"""The index of every institution's register: one entry per institution, none lost."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from credentials.errors import RegisterError
from credentials.issuing import location


def _claim_at_once(filing: str, home: str, start: Any) -> None:
    start.wait()
    location.claim(filing, Path(home) / f"{filing}.sqlite", home=Path(home))


def test_institutions_claiming_at_once_all_stay_in_the_index(tmp_path: Path) -> None:
    """Each claim reads the index and writes it back; two at once must not drop one of them."""
    filings = [f"Y0000410190{i:02d}" for i in range(12)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Manager() as manager, ctx.Pool(len(filings)) as pool:
        for round_ in range(4):
            home = tmp_path / f"home-{round_}"
            start = manager.Barrier(len(filings))
            pool.starmap(_claim_at_once, [(f, str(home), start) for f in filings])
            index = json.loads((home / location.INDEX).read_text("utf-8"))
            assert sorted(index) == filings


def test_a_second_register_for_an_institution_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    first.write_bytes(b"x")
    location.claim("Y000041019001", first, home=tmp_path / "home")
    with pytest.raises(RegisterError, match="reuse its numbers"):
        location.claim("Y000041019001", second, home=tmp_path / "home")
    assert location.known(tmp_path / "home") == {"Y000041019001": first.resolve()}
