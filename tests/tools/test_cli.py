"""payout-dev: the developers' commands, apart from the operator's payout."""

from __future__ import annotations

import pytest

from pipeline.cli import parser as payout_parser
from tools.cli import main, pin_workbook_writer


def test_the_bank_return_phase_names_the_run_it_needs(tmp_path):
    with pytest.raises(SystemExit, match="2021-02/bank/JRCB_2021-02_pension.csv is missing: run `payout run --month"):
        main(["sample", "bank-return", "--issued", str(tmp_path)])
    assert not (tmp_path / "2021-02").exists()


def test_the_workbook_writer_cannot_be_chosen_once_openpyxl_is_loaded():
    import openpyxl  # noqa: F401  (loaded here as in any test session)

    with pytest.raises(RuntimeError, match="before its XML writer could be chosen"):
        pin_workbook_writer()


@pytest.mark.parametrize("command", ["synth", "bench", "scale-check"])
def test_the_operators_payout_no_longer_ships_the_tools(command, capsys):
    with pytest.raises(SystemExit):
        payout_parser().parse_args([command])
    assert "invalid choice" in capsys.readouterr().err
