#!/usr/bin/python3
"""Build the openpyxl-saved corpus fixtures from a fresh Milepost sample register.

Usage: openpyxl_fixtures.py SAMPLE_REGISTER.xlsx OUT_DIR

Each fixture loads the sample register with openpyxl, ADDS one feature (never
removes a tab, header or data value) and saves it as OUT_DIR/openpyxl-<name>.xlsx.
openpyxl-all.xlsx has every feature at once. openpyxl-plain.xlsx is a plain
load + save, the baseline for what openpyxl alone changes.

Run with Debian's /usr/bin/python3 (python3-openpyxl, python3-pil).
"""

import datetime
import io
import os
import sys
from copy import copy

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

# Fixed document dates so that a rerun gives the same docProps/core.xml.
FIXED_DATE = datetime.datetime(2026, 12, 1, 9, 0, 0)


def header_map(ws):
    return {c.value: c.column for c in ws[1] if c.value is not None}


def last_data_row(ws, col=1):
    row = 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col).value not in (None, ""):
            row = r
    return row


def row_of_id(ws, milestone_id):
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value in (milestone_id, '="{}"'.format(milestone_id)):
            return r
    raise KeyError(milestone_id)


# ---------------------------------------------------------------- features


def add_note(wb):
    """Cell comments (notes): one on a Milestones name cell, one on a Team email."""
    ms = wb["Milestones"]
    h = header_map(ms)
    cell = ms.cell(row_of_id(ms, "M-0003"), h["Milestone"])
    c = Comment("Grace Okafor:\nMetering redesign tracked in ENG-412; ask Marcus for the new date.", "Grace Okafor")
    c.width, c.height = 240, 90
    cell.comment = c

    team = wb["Team"]
    th = header_map(team)
    for r in range(2, team.max_row + 1):
        if team.cell(r, th["Email"]).value == "tom.becker@northwind.example":
            team.cell(r, th["Email"]).comment = Comment("Daniel Reyes:\nOn leave 22 Dec - 2 Jan; Priya covers.", "Daniel Reyes")
            break
    return ["Milestones!{} comment".format(cell.coordinate), "Team email comment"]


def _status_counts(wb):
    ms = wb["Milestones"]
    h = header_map(ms)
    order = ["On track", "Might miss", "Missed", "Done", "Dropped"]
    counts = {s: 0 for s in order}
    for r in range(2, last_data_row(ms) + 1):
        s = ms.cell(r, h["Status"]).value
        if s in counts:
            counts[s] += 1
    return order, counts


def add_chart(wb, milestones_anchor="L2"):
    """A 'Dashboard' sheet with status counts and a bar chart over them, and a
    bar chart on Milestones itself whose series references Milestones!Due by ID."""
    order, counts = _status_counts(wb)
    dash = wb.create_sheet("Dashboard")
    dash["A1"], dash["B1"] = "Status", "Milestones"
    dash["A1"].font = dash["B1"].font = Font(bold=True)
    for i, s in enumerate(order, start=2):
        dash.cell(i, 1, s)
        dash.cell(i, 2, counts[s])
    dash.column_dimensions["A"].width = 14
    chart = BarChart()
    chart.type = "col"
    chart.title = "Milestones by status"
    chart.y_axis.title = "Milestones"
    chart.add_data(Reference(dash, min_col=2, min_row=1, max_row=1 + len(order)), titles_from_data=True)
    chart.set_categories(Reference(dash, min_col=1, min_row=2, max_row=1 + len(order)))
    chart.width, chart.height = 12, 7
    dash.add_chart(chart, "D2")

    ms = wb["Milestones"]
    h = header_map(ms)
    last = last_data_row(ms)
    timeline = BarChart()
    timeline.type = "bar"
    timeline.title = "Due dates"
    timeline.add_data(Reference(ms, min_col=h["Due"], min_row=1, max_row=last), titles_from_data=True)
    timeline.set_categories(Reference(ms, min_col=h["ID"], min_row=2, max_row=last))
    timeline.y_axis.number_format = "yyyy-mm-dd"
    timeline.y_axis.scaling.min = 46204  # 2026-07-01
    timeline.width, timeline.height = 12, 10
    ms.add_chart(timeline, milestones_anchor)
    return ["Dashboard sheet + column chart", "Milestones bar chart at " + milestones_anchor]


def add_table(wb):
    """Defined tables over the whole Team and Updates ranges. As Excel does when a
    range is formatted as a table, the sheet-level autofilter of those two tabs is
    replaced by the table's own autofilter (both on one range is invalid OOXML)."""
    out = []
    for sheet, name, style in (("Team", "TeamTable", "TableStyleMedium2"), ("Updates", "UpdatesTable", "TableStyleLight9")):
        ws = wb[sheet]
        ref = "A1:{}{}".format(get_column_letter(ws.max_column), last_data_row(ws))
        ws.auto_filter.ref = None
        t = Table(displayName=name, ref=ref)
        t.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True, showColumnStripes=False,
                                          showFirstColumn=False, showLastColumn=False)
        ws.add_table(t)
        out.append("{}!{} table {}".format(sheet, ref, name))
    return out


def add_filter(wb, keep=("On track", "Might miss")):
    """An autofilter over the Milestones data with a value filter on Status, and the
    rows that the filter excludes hidden (as Excel/LibreOffice leave them)."""
    ms = wb["Milestones"]
    h = header_map(ms)
    last = last_data_row(ms)
    ms.auto_filter.ref = "A1:{}{}".format(get_column_letter(ms.max_column), last)
    ms.auto_filter.add_filter_column(h["Status"] - 1, list(keep))
    hidden = []
    for r in range(2, last + 1):
        if ms.cell(r, h["Status"]).value not in keep:
            ms.row_dimensions[r].hidden = True
            hidden.append(ms.cell(r, 1).value)
    return ["Milestones autofilter {} Status in {}; hidden {}".format(ms.auto_filter.ref, list(keep), hidden)]


def make_png():
    """A small deterministic PNG: a green milepost on a white square."""
    from PIL import Image as PILImage, ImageDraw

    img = PILImage.new("RGB", (48, 48), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.rectangle([21, 10, 26, 44], fill=(90, 60, 30))
    d.polygon([(8, 8), (36, 8), (42, 15), (36, 22), (8, 22)], fill=(30, 130, 60))
    d.rectangle([0, 0, 47, 47], outline=(40, 40, 40))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    buf.seek(0)
    return buf


def add_image(wb, anchor="L2"):
    ms = wb["Milestones"]
    img = Image(make_png())
    img.anchor = anchor
    ms.add_image(img)
    return ["48x48 PNG on Milestones at " + anchor]


def add_validation(wb):
    """Data validations on top of the register's own (Status/Role/Active lists etc.)."""
    ms = wb["Milestones"]
    h = header_map(ms)
    col = lambda name: get_column_letter(h[name])
    added = []

    def dv(ws, rng, **kw):
        v = DataValidation(**kw)
        v.add(rng)
        ws.add_data_validation(v)
        added.append("{}!{} {}".format(ws.title, rng, kw.get("type")))

    dv(ms, "{0}2:{0}1000".format(col("Priority")), type="list", formula1="Priorities!$A$2:$A$50",
       allow_blank=True, showErrorMessage=True, errorTitle="Unknown priority",
       error="Pick a strategic priority from the Priorities tab")
    dv(ms, "{0}2:{0}1000".format(col("Owner")), type="list", formula1="Team!$B$2:$B$100",
       allow_blank=True, showErrorMessage=True, errorStyle="warning", error="Owner is not on the Team tab")
    dv(ms, "{0}2:{0}1000".format(col("Due")), type="date", operator="between",
       formula1="DATE(2020,1,1)", formula2="DATE(2035,12,31)", allow_blank=True,
       showInputMessage=True, promptTitle="Due date", prompt="A date, YYYY-MM-DD",
       showErrorMessage=True, error="Not a date between 2020 and 2035")
    dv(ms, "{0}2:{0}1000".format(col("ID")), type="custom", formula1='AND(LEFT(A2,2)="M-",LEN(A2)=6)',
       allow_blank=True, showErrorMessage=True, errorStyle="information", error="IDs look like M-0001")
    dv(wb["Priorities"], "B2:B50", type="whole", operator="between", formula1="1", formula2="20",
       allow_blank=True, showErrorMessage=True, error="Rank is a whole number 1-20")
    dv(wb["Meetings"], "B2:B1000", type="textLength", operator="equal", formula1="5",
       allow_blank=True, showErrorMessage=True, error="Time as HH:MM")
    return added


def add_formulas(wb):
    """Formulas written by openpyxl, so with NO cached value: a Forecast cell as
    =DATE(...) equal to its value, an ID cell as ="M-0003", and an extra column
    'Slip (days)' with a formula on every milestone row."""
    ms = wb["Milestones"]
    h = header_map(ms)
    r = row_of_id(ms, "M-0003")
    fc = ms.cell(r, h["Forecast"])
    v = fc.value
    assert isinstance(v, datetime.datetime), v
    fc.value = "=DATE({},{},{})".format(v.year, v.month, v.day)
    ms.cell(r, h["ID"]).value = '="M-0003"'

    last = last_data_row(ms)
    k = ms.max_column + 1
    head = ms.cell(1, k, "Slip (days)")
    src = ms.cell(1, k - 1)
    head._style = copy(src._style)
    ms.column_dimensions[get_column_letter(k)].width = 12
    e, g = get_column_letter(h["Due"]), get_column_letter(h["Forecast"])
    for row in range(2, last + 1):
        ms.cell(row, k).value = '=IF({g}{r}="","",{g}{r}-{e}{r})'.format(g=g, e=e, r=row)
    return ["Milestones!{} =DATE".format(fc.coordinate), 'Milestones!A{} ="M-0003"'.format(r),
            "Milestones!{}1 'Slip (days)' formula column".format(get_column_letter(k))]


# ---------------------------------------------------------------- fixtures


def save(wb, path):
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    wb.properties.lastModifiedBy = "openpyxl corpus script"
    wb.save(path)


def main():
    sample, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    fixtures = {
        "plain": [],
        "note": [add_note],
        "chart": [add_chart],
        "table": [add_table],
        "filter": [add_filter],
        "image": [add_image],
        "validation": [add_validation],
        "formulas": [add_formulas],
        # Order matters only for placement: formulas first so that the filter covers
        # the extra column; the chart and the image sit at different anchors.
        "all": [add_formulas, add_note, add_table, add_filter, add_validation,
                lambda wb: add_chart(wb, "M2"), lambda wb: add_image(wb, "W2")],
    }
    try:
        from openpyxl.cell.rich_text import CellRichText  # noqa: F401  (openpyxl >= 3.1)
        print("note: openpyxl has CellRichText but this script does not use it yet", file=sys.stderr)
    except ImportError:
        print("openpyxl {}: no CellRichText (needs 3.1+); openpyxl-richtext.xlsx is not made".format(openpyxl.__version__))
    for name, steps in fixtures.items():
        wb = openpyxl.load_workbook(sample)
        done = []
        for step in steps:
            done += step(wb)
        path = os.path.join(out, "openpyxl-{}.xlsx".format(name))
        save(wb, path)
        print("{}: {}".format(os.path.basename(path), "; ".join(done) or "load + save"))


if __name__ == "__main__":
    main()
