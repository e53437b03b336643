"""Generate a national gemeente × month × crime-type file in the OData ``TypedDataSet`` layout.

The file looks like politie table 47013NED saved as CSV (``;``-separated, padded keys, as
cbsodataR or pandas write it)::

    ID;SoortMisdrijf;RegioS;Perioden;GeregistreerdeMisdrijven_1
    0;"0.0.0 ";"GM0014    ";"2011MM04";1523

It is built from the real code lists: every current gemeente of the shipped area data (342),
the 59 police crime codes (``SoortMisdrijf_politie.csv``) and ``--months`` months ending in
2026MM10 (default 183: 342 × 59 × 183 ≈ 3.69 M rows). Counts are Poisson draws around
``national count of the type in that year × gemeente population / national population / 12``;
the national yearly counts come from ``NL_Crime_47025NED_2012_2023.csv`` (the nearest year
outside 2012–2023), ``0.0.0`` is the sum of the other types, and ``1.4.1 Zedenmisdrijf`` is left
empty (not published) for a share of the small counts, like the real table does.

Deterministic: the same ``--seed`` gives the same file, byte for byte. The file is written in
blocks, so memory stays small; it belongs in ``bench/data/`` (ignored by git).

    .venv/bin/python bench/generate_national_months.py [--out bench/data/…csv] [--months 183]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from regie.areas import reference_data  # noqa: E402 - after the path is set

POLITIE = ROOT / "src" / "regie" / "monitor" / "data" / "politie"
DEFAULT_OUT = ROOT / "bench" / "data" / "politie_47013NED_gemeente_maand.csv"
LAST_MONTH = (2026, 10)
ZEDEN = "1.4.1"
TOTAL = "0.0.0"


def crime_codes() -> list[str]:
    """The 59 raw (padded) keys of SoortMisdrijf, in the order of the code list."""
    with (POLITIE / "SoortMisdrijf_politie.csv").open(encoding="utf-8", newline="") as fh:
        return [row["Key"] for row in csv.DictReader(fh)]


def national_counts() -> dict[str, dict[int, int]]:
    """code → year → national count, from the 47025NED yearly series."""
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    path = POLITIE / "NL_Crime_47025NED_2012_2023.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            label = row["incident_type_code"]
            code = TOTAL if label.startswith("Totaal") else label.split(" ", 1)[0]
            counts[code][int(row["year"])] = int(row["incident_count"])
    return counts


def nearest(series: dict[int, int], year: int) -> int:
    if year in series:
        return series[year]
    return series[min(series, key=lambda y: (abs(y - year), -y))]


def months(n: int) -> list[tuple[int, int]]:
    year, month = LAST_MONTH
    out = []
    for _ in range(n):
        out.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def generate(out: Path, n_months: int, seed: int) -> int:
    codes = crime_codes()
    keys = [c.strip() for c in codes]
    counts = national_counts()
    gemeenten = sorted(
        a.code
        for a in reference_data.load_areas()
        if a.level == reference_data.LEVEL_GEMEENTE and a.active
    )
    population: dict[str, dict[int, int]] = defaultdict(dict)
    for rec in reference_data.load_population():
        if rec.code in gemeenten or rec.code == reference_data.NL_CODE:
            population[rec.code][rec.year] = rec.value
    periods = months(n_months)
    years = sorted({y for y, _ in periods})

    # mean[type, gemeente, year]: the national count of the type × population share / 12
    nl_pop = {y: sum(nearest(population[g], y) for g in gemeenten) for y in years}
    share = np.array([[nearest(population[g], y) / nl_pop[y] for y in years] for g in gemeenten])
    national = np.array(
        [[nearest(counts[k], y) if k in counts else 0 for y in years] for k in keys], dtype=float
    )
    year_index = np.array([years.index(y) for y, _ in periods])
    mean = national[:, None, :] * share[None, :, :] / 12.0  # type × gemeente × year
    mean = mean[:, :, year_index]  # type × gemeente × month

    rng = np.random.default_rng(seed)
    values = rng.poisson(mean).astype(np.int64)
    total = keys.index(TOTAL)
    parts = [i for i, k in enumerate(keys) if k != TOTAL]
    values[total] = values[parts].sum(axis=0)
    zeden = keys.index(ZEDEN)
    hidden = (values[zeden] < 3) & (rng.random(values[zeden].shape) < 0.2)

    out.parent.mkdir(parents=True, exist_ok=True)
    period_keys = [f'"{y}MM{m:02d}"' for y, m in periods]
    rows = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("ID;SoortMisdrijf;RegioS;Perioden;GeregistreerdeMisdrijven_1\r\n")
        for t, code in enumerate(codes):
            measure = f'"{code}"'
            for g, gemeente in enumerate(gemeenten):
                area = f'"{gemeente:<10}"'
                series = values[t, g].tolist()
                blanks = hidden[g].tolist() if t == zeden else [False] * len(series)
                lines = [
                    f"{rows + i};{measure};{area};{period};{'' if blank else value}\r\n"
                    for i, (period, value, blank) in enumerate(
                        zip(period_keys, series, blanks, strict=True)
                    )
                ]
                fh.write("".join(lines))
                rows += len(lines)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--months", type=int, default=183, help="months ending in 2026MM10")
    parser.add_argument("--seed", type=int, default=47013)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = generate(args.out, args.months, args.seed)
    size = args.out.stat().st_size / 1e6
    print(
        f"{args.out}: {rows:,} rows, {size:.0f} MB in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
