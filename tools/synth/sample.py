"""Regenerate the committed sample: data/sample/inbox, edge_cases.json and README.md.

`make sample` does it in two phases, so that the committed inputs depend on no hidden run:

1. `payout-dev sample inboxes` deletes data/sample/inbox and writes the months' inboxes from
   config/policy.toml with seed 2021, 3,000 people and the edge cases, plus edge_cases.json and
   README.md; the same code gives the same bytes.
2. `payout run --month 2021-02 --catch-up --out DIR` issues the February batch as usual, then
   `payout-dev sample bank-return --issued DIR` writes JRCB's answer to it into the 2021-03 inbox.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict

from pipeline.paths import DEFAULT_POLICY, REPO, OutDir
from pipeline.policy import Policy, load_policy
from tools.synth.bank_returns import add_bank_returns
from tools.synth.edge import build_edge_cases
from tools.synth.generator import DEFAULT_MONTHS, SynthReport, synthesize_inbox

SAMPLE = REPO / "data" / "sample"
SEED = 2021
PEOPLE = 3000
MAX_REJECT_SHARE = 0.05  # keep well under the pipeline's 10% stop threshold
ISSUED_MONTH, RETURN_MONTH, RETURN_BANK = "2021-02", "2021-03", "JRCB"


def write_inboxes() -> None:
    """Phase 1: the generated months, the edge-case catalogue and the README."""
    policy = load_policy(DEFAULT_POLICY)
    inbox = SAMPLE / "inbox"
    if inbox.exists():
        shutil.rmtree(inbox)
    report = synthesize_inbox(
        inbox, policy=policy, seed=SEED, people=PEOPLE, months=DEFAULT_MONTHS, edge_cases=True, accounts=True
    )
    catalogue = build_edge_cases().catalogue
    check_reject_shares(report, catalogue)
    for entry in catalogue.values():
        code = entry["township_code"]
        entry["township_name"] = policy.township_name(code) if code else None
    (SAMPLE / "edge_cases.json").write_text(
        json.dumps(catalogue, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    (SAMPLE / "README.md").write_text(readme(report, catalogue, policy), encoding="utf-8")
    print(f"wrote {len(report.files)} files under {inbox}")


def write_bank_return(issued: OutDir) -> None:
    """Phase 2: JRCB's answer to the February pension batch found in `issued`, the output folder of
    a normal `payout run --month 2021-02 --catch-up` on the sample inbox."""
    catalogue = build_edge_cases().catalogue
    target = add_bank_returns(
        SAMPLE / "inbox",
        load_policy(DEFAULT_POLICY),
        issued,
        issued_month=ISSUED_MONTH,
        return_month=RETURN_MONTH,
        bank=RETURN_BANK,
        failed_ids={catalogue["bank_change"]["id_number"]: "账户已冻结"},
    )
    print(f"wrote {target}")


def roster_sizes(report: SynthReport) -> dict[tuple[str, str], int]:
    """(month, township code) -> data rows of that roster file."""
    from python_calamine import CalamineWorkbook

    sizes = {}
    for name in report.files:
        parts = name.split("/")
        if len(parts) != 3 or parts[1] != "rosters":
            continue
        path = report.root / name
        if path.suffix == ".xlsx":
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
            count = len(rows) - 1
        else:
            count = path.read_bytes().count(b"\n") - 1
        sizes[(parts[0], parts[2][:9])] = count
    return sizes


def check_reject_shares(report: SynthReport, catalogue: dict) -> dict:
    """Expected rejected rows per roster file; fails if any file's share is too high."""
    rejects: dict[tuple[str, str], int] = defaultdict(int)
    for entry in catalogue.values():
        for r in entry["expected_rejects"]:
            rejects[(r["month"], r["file_township"])] += r["rows"]
    sizes = roster_sizes(report)
    shares = {key: count / sizes[key] for key, count in rejects.items() if key in sizes}
    worst = max(shares.items(), key=lambda kv: kv[1], default=None)
    if worst and worst[1] > MAX_REJECT_SHARE:
        raise AssertionError(f"roster {worst[0]} would reject {worst[1]:.1%} of its rows")
    return shares


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def readme(report: SynthReport, catalogue: dict, policy: Policy) -> str:
    kinds = {
        "utf-8": "CSV, UTF-8",
        "utf-8-sig": "CSV, UTF-8 with BOM",
        "gb18030": "CSV, GB18030 (CRLF)",
        "xlsx": "XLSX (every cell text)",
    }
    lines = [
        "# Sample inbox (synthetic)",
        "",
        "Everything here is made up by `tools/synth` (seed 2021, 3,000 participants at the "
        "start, months 2021-01..2021-12; the named people below are `tools/synth/cases/*.toml`) "
        "and regenerated with",
        "",
        "    make sample",
        "",
        "which deletes and rewrites `inbox/`, `edge_cases.json` and this file, then runs February "
        "with `payout run` as an operator would and writes the bank's answer to its batch; the same "
        "code gives the same bytes. No row describes a real person; bank account prefixes are made "
        "up too.",
        "",
        "## Layout",
        "",
        "- `inbox/YYYY-MM/rosters/<code>_<township>_<YYYY-MM>.csv|.xlsx`: one full snapshot per "
        "township that submits rosters (18), every month.",
        "- `inbox/YYYY-MM/deaths/deaths_YYYY-MM.csv` (2021-06 is an `.xlsx`): death "
        "registrations received that month, Chinese headers.",
        "- `inbox/2021-06/id_corrections/id_corrections_2021-06.csv`: one ID correction (旧身份证号, "
        "新身份证号, 原因, 登记日期): 杜错生's birth date was registered wrong (see `id_correction` below).",
        "- `inbox/contributions/2021.csv`: Q4 2021 contributions (tier 1-8: "
        "300/400/500/600/800/1000/1500/2000 yuan, all made up; subsidy 120 yuan per person as in "
        "the seed's `2.5万人*120元/人`), about 96% of the contributors; the named people's rows "
        "(`[[contribution]]` of their case) follow the random ones.",
        "- `inbox/contributions/2020.csv`: Q4 2020 contributions of the contributors on the 2021-01 "
        "roster, made the same way. The opening month is 2021-01, so these payments are inside the "
        "opening balances and the pipeline never credits them again (SPEC §5a); the year's "
        "indicators read them as last year's contributors of the continuation rate (续缴率).",
        "- `inbox/accounts/opening.csv` (身份证号, 账户余额, 余额年月 = 2021-01): the personal accounts "
        "as the previous system hands them over, read by the 2021-01 run (SPEC §5a): for a pensioner "
        "of the previous system what is left of 139 months of their roster account pension after the "
        "months paid; for a contributor reaching pension age in 2021, 139 months of the account "
        "pension their roster will show (the award computed from the balance equals it); for other "
        "contributors 0-9 earlier yearly payments plus their 2020 payment, with the subsidy; nobody "
        "whose roster leaves the account pension empty. Named people: their `[account]`, else "
        "60 months of their account pension when receiving in 2021-01 (`opening_yuan` in "
        "`edge_cases.json`); the expected account figures of the account cases are their "
        "`account` facts. All balances are made up.",
        "- `2021-03/bank_returns/`: JRCB's answer to the February pension batch, made from the batch the "
        "pipeline issued (return lines must match issued lines): 20 lines paid, 李换卡's line failed, and one "
        "line quoting a wrong amount (rejected `RETURN_UNMATCHED`).",
        "",
        f"Roster rows per month: {', '.join(f'{m} {n}' for m, n in report.roster_rows.items())}. "
        f"Death registrations in all: {report.death_registrations}; contribution rows (both years): "
        f"{report.contribution_rows}; opening balances: {report.opening_rows}.",
        "",
        "## Township file formats",
        "",
        "Each township keeps its format every month. English-header townships also write "
        "English values (`M`/`F`, `Y`, `receiving`/`contributing`).",
        "",
        "| code | township | format | headers |",
        "|---|---|---|---|",
    ]
    for code, fmt in report.township_formats.items():
        kind, lang = fmt.split("/")
        lines.append(
            f"| {code} | {policy.township_name(code)} | {kinds[kind]} | {'English' if lang == 'en' else 'Chinese'} |"
        )
    lines += [
        "",
        "## The random population",
        "",
        "About 80% receiving (领取) and 20% contributing (缴费) at the start; of the receiving "
        "about 81% are 65 or older. Valid Jiangyin IDs (320281, GB 11643 check character, 17th "
        "digit odd for men); `birth_date` filled for ~85% of rows; ~6% of rows give the "
        "12-digit township code (`320281001000`). Contributors who reach pension age become "
        "领取 in that month's roster with benefit_start = that month. About 3% of pensioners "
        "die per year; 80% of deaths are registered in the month of death, 20% the next month "
        "(90% with a next of kin as payee); the dead leave their township's roster from the "
        "month after registration. A few new contributors join each month. None of these rows "
        "should be rejected: every reject in the sample is one of the rows below.",
        "",
        "Sequence numbers 980-999 of the ID are kept for the people below, so they never clash "
        "with the random population. `edge_cases.json` holds the same catalogue for tests "
        "(`id_number`, `township_code`, `roster_months`, `expected_rejects`, ...).",
        "",
    ]
    sections = (
        ("scenario", "## Named people (scenarios)"),
        ("bad_roster_row", "## Bad roster rows (one month each, a made-up person each)"),
        ("bad_death_row", "## Bad death rows (made-up people on no roster)"),
    )
    for kind, title in sections:
        lines += [
            title,
            "",
            "| key | name | ID (as in the file) | township | months | input | the pipeline must |",
            "|---|---|---|---|---|---|---|",
        ]
        for key, e in catalogue.items():
            if e["kind"] != kind:
                continue
            months = _months(e)
            township = ", ".join(e["roster_townships"]) or "-"
            lines.append(
                f"| {key} | {_cell(e['name']) or '(empty)'} | `{e['id_number']}` | {township} | "
                f"{months} | {_cell(e['input'])} | {_cell(e['expected'])} |"
            )
        lines.append("")
    lines += [
        "Death-date correction: `death_corrected` (杨更正) is registered twice; the 2021-04 "
        "registration (death 2021-02-26) corrects the 2021-03 one (death 2021-03-28). 钱迟报's "
        "registration is not corrected.",
        "",
        "Expected rejected rows per roster file stay below 5% of the file's rows (checked when the sample is written).",
        "",
    ]
    return "\n".join(lines)


def _months(entry: dict) -> str:
    listed = entry["roster_months"]
    if entry["kind"] == "bad_death_row":
        return f"deaths {entry['death_file_month']}"
    if not listed:
        return f"deaths {entry.get('death_registered', '')}".strip()
    text = listed[0] if len(listed) == 1 else f"{listed[0]}..{listed[-1]}"
    return text
