"""Write the empty log templates in data/raw/templates/ (CSV and Excel, Danish headers).

    .venv/bin/python tests/engine/make_templates.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "raw" / "templates"

#: file stem -> (sheet title, Danish headers of docs/logs.md, help line per column)
TEMPLATES = {
    "ssp_sager": ("SSP-sager", ["År", "Kvartal", "Område", "Niveau", "Antal sager"],
                  ["fx 2018", "1-4", "afdelings- eller plan-id fra planfilen", "1-4", "antal sager (heltal)"]),
    "netvaerksmoeder": ("Netværksmøder", ["Dato", "Mødetype", "Åbent møde", "Ferieplan for",
                                          "Målgruppe identificeret"],
                        ["fx 14.03.2018", "fx Netværksmøde", "ja/nej",
                         "vinterferie, påskeferie, sommerferie, efterårsferie, juleferie eller tom", "ja/nej"]),
    "ungeforloeb": ("Ungeforløb", ["Forløb nr.", "Startdato", "Kontakt opnået", "Tilknytning"],
                    ["løbenummer (aldrig navn)", "fx 14.03.2018", "ja/nej", "forening, fritidsjob, nej eller tom"]),
    "opkvalificering": ("Opkvalificering", ["Dato", "Tema", "Deltagere"],
                        ["fx 14.03.2018", "emne for arrangementet", "antal deltagere"]),
    "milepaele": ("Milepæle", ["Kriterium", "Dato", "Status", "Dokumentation"],
                  ["succeskriteriets id, fx K3", "fx 14.03.2018", "opnået, delvist eller ikke opnået",
                   "fx referat af styregruppemøde (aldrig personoplysninger)"]),
    "kvalitative_resultater": ("Kvalitative resultater", ["Dato", "Type", "Aktivitet", "Vurdering", "Resultat"],
                               ["fx 14.03.2018", "fokusgruppe, relevansvurdering eller beslutning",
                                "aktivitets- eller mål-id fra planfilen, fx A2 eller A2.3 (kan være tom)",
                                "relevant, delvist relevant, ikke relevant (ved relevansvurdering)",
                                "fundet, vurderingen eller beslutningen (aldrig navne eller personoplysninger)"]),
}


def main() -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    OUT.mkdir(parents=True, exist_ok=True)
    for stem, (title, headers, helps) in TEMPLATES.items():
        (OUT / f"{stem}.csv").write_text(";".join(headers) + "\n", encoding="utf-8")
        wb = Workbook()
        ws = wb.active
        ws.title = title
        ws.append(headers)
        for cell, text in zip(ws[1], helps):
            cell.font = Font(bold=True)
            cell.comment = Comment(text, "evaluering")
            ws.column_dimensions[cell.column_letter].width = max(14, len(cell.value) + 4)
        wb.save(OUT / f"{stem}.xlsx")


if __name__ == "__main__":
    main()
