#!/usr/bin/python3
"""Write test/corpus/MANIFEST.json from what is actually inside each fixture.

Usage: manifest.py SAMPLE_REGISTER.xlsx CORPUS_DIR > CORPUS_DIR/MANIFEST.json

Features are detected from the zip parts and the XML, not taken from how the
fixture was meant to be made:
  note              a comments part with at least one <comment>
  chart             xl/charts/chart*.xml
  table             xl/tables/table*.xml
  filter            an autoFilter with a <filterColumn> (criteria), hidden rows noted
  image             a picture in xl/media/
  pivot             xl/pivotTables/* (with its xl/pivotCache/*)
  validation        a data validation beyond the register's own literal lists
                    (date, whole, custom, textLength ... or a list from a range)
  richtext          a shared or inline string made of runs (<r>)
  formula-no-cache  a formula cell with no cached value (<f> without <v>)
  formula-cached    a formula cell with a cached value
  formula-id        a formula in the Milestones ID column
  extra-sheet       a tab that the sample register does not have
  extra-column      a Milestones header that the sample register does not have
  inline-string     cells stored as inline strings (t="inlineStr"), as openpyxl 3.0
                    writes every text cell, instead of in xl/sharedStrings.xml
"""

import json
import os
import posixpath
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
}
RID = "{%s}id" % NS["r"]

INTERESTING = re.compile(
    r"^xl/(comments[^/]*\.xml|comments/.*|drawings/.*\.(xml|vml)|charts/.*|tables/.*|"
    r"pivotTables/.*|pivotCache/.*|media/.*)$"
)

FROM_SAMPLE = (" Made from the Milepost-written sample directly: LibreOffice did not keep its header-row"
               " autofilters (it keeps them when the file comes through openpyxl, which adds"
               " _xlnm._FilterDatabase names).")

NOTES = {
    "openpyxl-plain": "Sample register loaded and saved by openpyxl, nothing added: the baseline for what openpyxl alone changes (part names, absolute relationship targets, _xlnm._FilterDatabase names).",
    "openpyxl-note": "Cell comments (legacy notes, VML) on the Milestones name of M-0003 and on Tom Becker's email on Team.",
    "openpyxl-chart": "New sheet Dashboard (status counts as plain numbers) with a column chart over it, and a bar chart anchored on Milestones whose series is Milestones!E (Due) by ID. openpyxl writes no chart caches.",
    "openpyxl-table": "Tables TeamTable (Team!A1:F11) and UpdatesTable (Updates!A1:K15). As Excel does, the sheet-level header autofilter of those two tabs is replaced by the table's own.",
    "openpyxl-filter": "Milestones autofilter A1:J32 with a value filter Status in {On track, Might miss}; the 8 rows it excludes (Done, Dropped, Missed) are hidden.",
    "openpyxl-image": "A 48x48 PNG (made with Pillow) anchored at Milestones!L2.",
    "openpyxl-validation": "Extra data validations: Milestones Priority (list from Priorities!A2:A50), Owner (list from Team!B2:B100, warning), Due (date between), ID (custom formula); Priorities Rank (whole); Meetings Time (text length).",
    "openpyxl-formulas": "Formulas without cached values: Milestones!G4 =DATE(2026,12,18) (M-0003's Forecast), Milestones!A4 =\"M-0003\" (its ID), and a new column K 'Slip (days)' =IF(G2=\"\",\"\",G2-E2) on every row.",
    "openpyxl-all": "All openpyxl features in one file (chart at Milestones!M2, image at Milestones!W2, filter over A1:K32 including the formula column). No rich text: openpyxl 3.0.9 has no CellRichText.",
    "libreoffice-pivot": "Sample register opened in headless LibreOffice over UNO, sheet Pivot added with a DataPilot: count of ID by Owner (rows) and Status (columns), Priority as page field; saved as Calc MS Excel 2007 XML." + FROM_SAMPLE,
    "libreoffice-richtext": "Sample register opened in headless LibreOffice over UNO; rich-text runs added without changing any text: bold 'A/B test' and italic red 'FAQ' in M-0002's name, bold blue '2k events/s' in M-0003's notes, bold 'Priya' in Team!A4." + FROM_SAMPLE,
    "libreoffice-all": "openpyxl-all.xlsx opened in headless LibreOffice over UNO, with the rich text of libreoffice-richtext and the pivot of libreoffice-pivot added; LibreOffice computes and stores the formula results.",
}
CONVERTED = "openpyxl-{0}.xlsx converted by soffice --headless --convert-to xlsx:\"Calc MS Excel 2007 XML\" (LibreOffice computes cached values for formulas)."
LO_COMMON = " LibreOffice headless does not keep the frozen header row (no view when headless)."


def rels_of(z, part):
    d, b = posixpath.split(part)
    rel = posixpath.join(d, "_rels", b + ".rels")
    if rel not in z.namelist():
        return {}
    out = {}
    for r in ET.fromstring(z.read(rel)).findall("pr:Relationship", NS):
        t = r.get("Target")
        if r.get("TargetMode") == "External":
            continue
        t = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join(d, t))
        out[r.get("Id")] = t
    return out


def sheet_parts(z):
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = rels_of(z, "xl/workbook.xml")
    return [(s.get("name"), rels[s.get(RID)]) for s in wb.find("m:sheets", NS)]


def has_value(c):
    """A formula's cached result: a non-empty <v>, or an empty <v> on a string
    result (t="str", an empty text). openpyxl writes <v></v> with no type."""
    v = c.find("m:v", NS)
    if v is None:
        return c.find("m:is", NS) is not None
    return (v.text or "") != "" or c.get("t") == "str"


def detect(path, sample_tabs, sample_headers):
    z = zipfile.ZipFile(path)
    names = z.namelist()
    parts = sorted(n for n in names if INTERESTING.match(n))
    found = set()
    details = []

    for n in names:
        if re.match(r"xl/(comments[^/]*|comments/[^/]*)\.xml$", n) and b"<comment " in z.read(n):
            found.add("note")
        if re.match(r"xl/charts/chart\d+\.xml$", n):
            found.add("chart")
        if re.match(r"xl/tables/table\d+\.xml$", n):
            found.add("table")
        if n.startswith("xl/pivotTables/pivotTable"):
            found.add("pivot")
        if re.match(r"xl/media/.*\.(png|jpe?g|gif|bmp|emf|wmf)$", n, re.I):
            found.add("image")
    if "xl/sharedStrings.xml" in names:
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        runs = sum(1 for si in sst.findall("m:si", NS) if si.find("m:r", NS) is not None)
        if runs:
            found.add("richtext")
            details.append("{} rich-text shared strings".format(runs))

    tabs = sheet_parts(z)
    extra_tabs = [t for t, _ in tabs if t not in sample_tabs]
    if extra_tabs:
        found.add("extra-sheet")
        details.append("extra tabs: " + ", ".join(extra_tabs))
    for tab, part in tabs:
        root = ET.fromstring(z.read(part))
        for af in root.iter("{%s}autoFilter" % NS["m"]):
            if af.find("m:filterColumn", NS) is not None and part.startswith("xl/worksheets/"):
                found.add("filter")
                hidden = sum(1 for r in root.iter("{%s}row" % NS["m"]) if r.get("hidden") in ("1", "true"))
                details.append("{} autofilter {} with criteria, {} hidden rows".format(tab, af.get("ref"), hidden))
        for dv in root.iter("{%s}dataValidation" % NS["m"]):
            f1 = dv.find("m:formula1", NS)
            t = dv.get("type", "none")
            if t != "list" or (f1 is not None and not (f1.text or "").startswith('"')):
                found.add("validation")
        no_cache = cached = 0
        inline = 0
        for c in root.iter("{%s}c" % NS["m"]):
            if c.get("t") == "inlineStr":
                inline += 1
            if c.find("m:is/m:r", NS) is not None:
                found.add("richtext")
            if c.find("m:f", NS) is None:
                continue
            if has_value(c):
                cached += 1
            else:
                no_cache += 1
            col = re.match(r"[A-Z]+", c.get("r")).group(0)
            if tab == "Milestones" and col == "A" and c.get("r") != "A1":
                found.add("formula-id")
        if inline:
            found.add("inline-string")
        if no_cache:
            found.add("formula-no-cache")
        if cached:
            found.add("formula-cached")
        if no_cache or cached:
            details.append("{}: {} formula cells, {} without cached value".format(tab, no_cache + cached, no_cache))

    wb = openpyxl.load_workbook(path, read_only=True)
    heads = [c.value for c in next(wb["Milestones"].iter_rows(min_row=1, max_row=1))]
    extra_heads = [h for h in heads if h not in (None, "") and h not in sample_headers]
    if extra_heads:
        found.add("extra-column")
        details.append("extra Milestones columns: " + ", ".join(map(str, extra_heads)))
    wb.close()
    order = ["note", "chart", "table", "filter", "image", "pivot", "validation", "richtext",
             "formula-no-cache", "formula-cached", "formula-id", "extra-sheet", "extra-column",
             "inline-string"]
    return [f for f in order if f in found], parts, details


def main():
    sample, corpus = sys.argv[1], sys.argv[2]
    swb = openpyxl.load_workbook(sample, read_only=True)
    sample_tabs = swb.sheetnames
    sample_headers = [c.value for c in next(swb["Milestones"].iter_rows(min_row=1, max_row=1))]
    swb.close()
    out = []
    for f in sorted(os.listdir(corpus)):
        if not f.endswith(".xlsx"):
            continue
        stem = f[:-5]
        tool = "openpyxl" if stem.startswith("openpyxl-") else "libreoffice"
        contains, parts, details = detect(os.path.join(corpus, f), sample_tabs, sample_headers)
        note = NOTES.get(stem)
        if note is None and tool == "libreoffice":
            note = CONVERTED.format(stem[len("libreoffice-"):])
        if tool == "libreoffice":
            note += LO_COMMON
        if details:
            note += " Found: " + "; ".join(details) + "."
        out.append({"file": f, "tool": tool, "contains": contains, "parts": parts, "notes": note})
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
