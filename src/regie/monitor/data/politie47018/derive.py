"""Derive ``47018NED_gemeenten_2012_2025.csv.gz`` from ``web/data.json`` of the repository
``luc4sdreyer/dutch_demographics``.

The JSON (695 KB, see PROVENANCE.md) holds the gemeente rows of Politie table 47018NED for 12 crime
types, 2012–2025, plus a population block that the product does not use (it mixes the average
population of a year with 1 January, so it is no denominator for rates). This script keeps only
the counts and writes them in the layout of the table's own OData ``TypedDataSet`` (the layout the
product's ``odata-csv`` import reads), one row per crime type × gemeente × year, in that order:

    "ID","SoortMisdrijf","WijkenEnBuurten","Perioden","GeregistreerdeMisdrijven_1"
    1,"1.1.1","GM0000","2012JJ00",648

Nothing is summed, rounded or left out: ``GM0000`` ("Gemeente onbekend") stays in the file, and the
import skips it as a pseudo-region. The gzip stream has no name and no time stamp, so the output is
the same bytes for the same input. Usage (from the repository root)::

    python src/regie/monitor/data/politie47018/derive.py \\
        ../shared/data/luc4sdreyer-47018ned-gemeenten-2012-2025/data.json
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "47018NED_gemeenten_2012_2025.csv.gz"
HEADER = ["ID", "SoortMisdrijf", "WijkenEnBuurten", "Perioden", "GeregistreerdeMisdrijven_1"]


def derive(data: dict[str, object]) -> bytes:
    """The CSV text (UTF-8 bytes) of the counts in ``data``."""
    counts = data["counts"]
    years = data["years"]
    if not isinstance(counts, dict) or not isinstance(years, list):
        raise ValueError("no 'counts' object or 'years' list: not the expected data.json")
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(HEADER)
    row_id = 0
    for code in sorted(counts):
        per_area = counts[code]
        for area in sorted(per_area):
            per_year = per_area[area]
            for year in years:
                value = per_year.get(str(year))
                if value is None:  # "not published": the JSON leaves the key out
                    continue
                if not isinstance(value, int):
                    raise ValueError(f"{code} {area} {year}: {value!r} is no count")
                row_id += 1
                writer.writerow([row_id, code, area, f"{year}JJ00", value])
    return out.getvalue().encode("utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[1]).read_bytes()
    data = json.loads(source)
    text = derive(data)
    packed = gzip.compress(text, compresslevel=9, mtime=0)
    OUTPUT.write_bytes(packed)
    for label, blob in (("data.json", source), ("csv", text), (OUTPUT.name, packed)):
        print(f"{label}: {len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()}")
    print(f"provisional years in the source: {data.get('provisional')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
