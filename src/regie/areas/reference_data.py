"""Dutch area reference data and population on 1 January, read from the files in ``data/``.

Pure standard library (no Django), so it can be tested and reused on its own. Origin, licence and
filtering of every file are in ``data/PROVENANCE.md``.

Areas (:func:`load_areas`)
    * ``nl``: NL01 Nederland. The wijk/buurt table calls it ``NL00``; that code is mapped to NL01.
    * ``provincie``: PV20-PV31, names from the RegioS list of Politie 47013NED (edition 2025),
      with the suffix " (PV)" removed. PV99 "Niet in te delen" is skipped.
    * ``politie_eenheid``: RE01-RE10 from the same list (suffix " (RE)" removed, RE99 skipped).
    * ``veiligheidsregio``: VR01-VR25, names from CBS 84929NED "Gebieden in Nederland 2021"
      (via the minvws corona dashboard).
    * ``gemeente``: every gemeente that existed on or after 1 January 2000 (605 codes), from the
      RvIG Tabel 33 / CBS history table ``gemeenten_herindelingen.csv``: ``valid_from``,
      ``valid_to`` (the herindeling date, exclusive; Weesp 2022-03-24) and ``successors``. Pseudo
      rows (GM0998, GM0999) and the openbaar lichaam GM0996 are not areas. The codes valid on
      1 January of 2021, 2022, 2023, 2024 and 2025 are checked against the CBS lists held
      (84929NED via minvws, 83648NED, 47022NED, 47018NED, 47013NED); a difference stops the load.
      Successors: the table's ``successors_all`` for the recorded splits (Littenseradiel 2018,
      Winsum 2019, Haaren 2021, the last checked against CBS ``2021-wijziging.csv``), the codes
      named in a "split" note (Boarnsterhim 2014), else the one Tabel 33 successor. ``active``
      is ``valid_to is None`` (342 gemeenten).
      Names: the 47013NED 2025 title without " (gemeente)" ("Groningen", "Bergen (NH.)"); for
      former gemeenten the 83648NED name, else the row name of the 37230ned export (the StatLine
      spelling, "Hengelo (Gld.)"), else the Tabel 33 name. ``names`` adds the name in each
      indeling year held (2022, 2023, 2024, 2025) and other spellings without a year (Tabel 33,
      CBS/NLExtract, 37230ned).
      Provincie: Bernasco's ``municipality_in_province.csv`` for the 342 current gemeenten, the
      CBS province of the history table for former ones.
      Veiligheidsregio: 84929NED indeling 2021 (for the four gemeenten created later the minvws
      file gives the VR of their predecessors). **Derived**: a gemeente not in that list (every
      gemeente dissolved before 2021) gets the VR of its *current successor* (Tabel 33
      ``current_code``), so Leerdam (Zuid-Holland until 2019) carries VR09 Utrecht of
      Vijfheerenlanden; ``Area.source`` says so. Politie-eenheid: **derived from the
      veiligheidsregio** (Politiewet 2012: an eenheid covers whole veiligheidsregio's; mapping in
      ``vr_codes.csv``), not taken from a published gemeente list.
    * ``wijk`` / ``buurt``: every wijk and buurt of the buurtindelingen held, one record per code:
      2024 (Politie 47018NED, 3,393 wijken and 14,574 buurten) and 2023 (Politie 47022NED,
      3,353 and 14,421). Name, gemeente and ``active`` follow the newest indeling with the code;
      ``names`` holds each year's name. The name is the one in the row's description ("Buurt
      'Annen' (BU16800000) is ..."): StatLine titles stop at 40 characters, and the title is kept
      as a second name of that year. A buurt's wijk is its code's first 8 characters with
      BU -> WK (the CBS code structure); the wijk name in the buurt's description is checked
      against it while loading. The placeholders GM0000 / WK000000 / BU00000000 ("... onbekend")
      are skipped: they are not areas.

    The list is ordered nl, provincie, politie_eenheid, veiligheidsregio, gemeente, then each
    wijk followed by its buurten, so every parent precedes its children.

Population (:func:`load_population`): inhabitants on **1 January** of ``year``
    CBS per-1,000 rates divide by the population on 1 January of the year, which is the
    population at the end of the previous year: ``year`` Y holds "Bevolking aan het einde van
    de periode" of Y-1. At most one record per (code, year).

    * NL01, provincies, gemeenten: CBS 37230ned StatLine export, end of 2002-2024, so years
      2003-2025. Regions are given by name there and are matched exactly to the codes above.
    * A gemeente gets a figure for year Y only if it existed on 1 January Y (its validity in
      the history table). A gemeente dissolved on 1 January Y gets no figure for Y, although the
      export has its end-of-(Y-1) population. Former gemeenten are matched to export rows by
      name (83648NED, CBS, Tabel 33 spellings; each row used once); those dissolved before 2003
      have no row.
    * Boundaries: the end-of-(Y-1) figure is in the boundaries of 31 December Y-1. When a
      gemeente was created or redrawn on 1 January Y ("Ontstaan" / "Gemeentelijke herindeling
      per 01-01-Y" in its 47013NED RegioS description) that figure is not its 1 January Y
      population and is dropped. Likewise all provincie figures of a year with a "Provinciale
      wijziging per 01-01-Y" (in range only 2019: Vijfheerenlanden). The history table adds the
      same for every gemeente created on 1 January Y or receiving (part of) a dissolved gemeente
      then (Venray 2010, Súdwest-Fryslân 2014, ...), and for the successors of a mid-year
      herindeling that CBS still counted separately at the end of that year (Olst-Wijhe 2003:
      CBS books such changes on the next 1 January). Boundary corrections between gemeenten that
      both continue are not in any file held.
    * 2022: CBS 83648NED population on 1 January 2022 (indeling 2022) fills what the export
      lacks (Dijk en Waard, Land van Cuijk, Maashorst, and Purmerend after absorbing Beemster).
      Where both sources have a 2022 figure they must agree (checked while loading; they do).
    * A gemeente created on 1 January Y whose predecessors the minvws file lists (its four
      "AFGELEID" rows) and that has no other figure for Y gets the sum of its predecessors'
      end-of-(Y-1) populations. This yields only Voorne aan Zee (GM1992) 2023 = Brielle +
      Hellevoetsluis + Westvoorne. The same rule reproduces 83648NED's 1 January 2022 figures
      of Dijk en Waard, Land van Cuijk and Maashorst exactly.
    * Buurten of buurtindeling 2024 (all 14,574): CBS 85984NED Kerncijfers wijken en buurten
      2024, AantalInwoners = population on 1 January 2024 (CBS rounds these to multiples of 5;
      they sum to the end-of-2023 gemeente totals within rounding). A wijk of 2024 is the sum of
      its 2024 buurten when all of them have a figure, so it carries the buurt rounding. Wijken
      and buurten only in the 2023 indeling get no figure.
    * Politie-eenheden and veiligheidsregio's: the sum over their member gemeenten (those
      existing on 1 January Y), made only for years from 2021 on (veiligheidsregio membership
      is known for 2021 and later only) and only when **every** member gemeente has a figure
      for that year. Gaps: 2021 for
      VR01/RE01 (Eemsdelta created) and VR20/VR21/RE08/RE09 (Haaren split over Boxtel,
      Oisterwijk, Tilburg and Vught). Veiligheidsregio membership is that of 2021 in every
      year.

The work is spread over :mod:`~regie.areas.reference_files` (the files and their records),
:mod:`~regie.areas.reference_build` (the gemeenten and regions, checked against each other),
:mod:`~regie.areas.reference_areas` and :mod:`~regie.areas.reference_population`; this module
names what other code uses.
"""

from __future__ import annotations

from regie.areas.reference_areas import load_areas as load_areas
from regie.areas.reference_files import BEVOLKING_2022_FILE as BEVOLKING_2022_FILE
from regie.areas.reference_files import BEVOLKING_EXPORT_FILE as BEVOLKING_EXPORT_FILE
from regie.areas.reference_files import BUURT_POPULATION_FILE as BUURT_POPULATION_FILE
from regie.areas.reference_files import DATA_DIR as DATA_DIR
from regie.areas.reference_files import DEMO_GEMEENTEN as DEMO_GEMEENTEN
from regie.areas.reference_files import GEMEENTE_VR_FILE as GEMEENTE_VR_FILE
from regie.areas.reference_files import HERINDELINGEN_FILE as HERINDELINGEN_FILE
from regie.areas.reference_files import LEVEL_BUURT as LEVEL_BUURT
from regie.areas.reference_files import LEVEL_GEMEENTE as LEVEL_GEMEENTE
from regie.areas.reference_files import LEVEL_NL as LEVEL_NL
from regie.areas.reference_files import LEVEL_POLITIE_EENHEID as LEVEL_POLITIE_EENHEID
from regie.areas.reference_files import LEVEL_PROVINCIE as LEVEL_PROVINCIE
from regie.areas.reference_files import LEVEL_VEILIGHEIDSREGIO as LEVEL_VEILIGHEIDSREGIO
from regie.areas.reference_files import LEVEL_WIJK as LEVEL_WIJK
from regie.areas.reference_files import LEVELS as LEVELS
from regie.areas.reference_files import NL_CODE as NL_CODE
from regie.areas.reference_files import PROVINCIE_FILE as PROVINCIE_FILE
from regie.areas.reference_files import REGIOS_47013_FILE as REGIOS_47013_FILE
from regie.areas.reference_files import SCOPE_START as SCOPE_START
from regie.areas.reference_files import VR_FILE as VR_FILE
from regie.areas.reference_files import WIJKEN_BUURTEN_FILES as WIJKEN_BUURTEN_FILES
from regie.areas.reference_files import WIJZIGING_2021_FILE as WIJZIGING_2021_FILE
from regie.areas.reference_files import AreaRecord as AreaRecord
from regie.areas.reference_files import PopulationRecord as PopulationRecord
from regie.areas.reference_population import BUURT_POPULATION_YEAR as BUURT_POPULATION_YEAR
from regie.areas.reference_population import FIRST_SUM_YEAR as FIRST_SUM_YEAR
from regie.areas.reference_population import load_population as load_population
