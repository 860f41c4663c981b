#!/usr/bin/python3
"""Build the LibreOffice fixtures that need more than a format conversion, by
driving a headless soffice over UNO (python3-uno).

Usage: uno_fixtures.py PIPE_NAME SAMPLE_REGISTER.xlsx OPENPYXL_ALL.xlsx OUT_DIR

soffice must already be listening:
  soffice --headless --accept="pipe,name=PIPE_NAME;urp;StarOffice.ComponentContext"

Makes, each saved with the "Calc MS Excel 2007 XML" filter:
  libreoffice-pivot.xlsx     sample + sheet "Pivot": a DataPilot over Milestones,
                             count of IDs by Owner (rows) and Status (columns),
                             Priority as page (filter) field
  libreoffice-richtext.xlsx  sample + rich-text runs (bold / italic / colour) in
                             cells whose text is unchanged: a Milestones name, a
                             Milestones note and a Team name
  libreoffice-all.xlsx       openpyxl-all.xlsx + the rich text + the pivot
"""

import os
import sys
import time

import uno
from com.sun.star.awt.FontSlant import ITALIC
from com.sun.star.beans import PropertyValue
from com.sun.star.sheet.DataPilotFieldOrientation import COLUMN, DATA, PAGE, ROW
from com.sun.star.sheet.GeneralFunction import COUNT
from com.sun.star.table import CellAddress
from com.sun.star.util import DateTime

BOLD = 150.0  # com.sun.star.awt.FontWeight.BOLD


def connect(pipe, tries=60):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = "uno:pipe,name={};urp;StarOffice.ComponentContext".format(pipe)
    for _ in range(tries):
        try:
            ctx = resolver.resolve(url)
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException while soffice starts
            time.sleep(0.5)
    raise SystemExit("could not connect to soffice on pipe " + pipe)


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def load(desktop, path):
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        raise SystemExit("soffice could not open " + path)
    return doc


def fixed_dates(doc):
    """docProps/core.xml: a fixed creation date (LibreOffice stamps the modification
    date with the time of saving whatever is set here)."""
    dt = DateTime()
    dt.Year, dt.Month, dt.Day, dt.Hours = 2026, 12, 1, 9
    props = doc.getDocumentProperties()
    props.CreationDate = dt
    props.ModificationDate = dt


def store(doc, path):
    fixed_dates(doc)
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)))
    doc.close(True)


def used_range(sheet):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    return cursor.getRangeAddress()


def headers(sheet, ncols):
    return [sheet.getCellByPosition(c, 0).getString() for c in range(ncols)]


def last_row_with_id(sheet):
    r = 1
    while sheet.getCellByPosition(0, r).getString():
        r += 1
    return r - 1  # 0-based index of the last row with an ID


def find_row(sheet, col, text):
    r = 1
    while True:
        s = sheet.getCellByPosition(col, r).getString()
        if s == text:
            return r
        if s == "" and r > 2000:
            raise KeyError(text)
        r += 1


def format_run(cell, start, length, **props):
    text = cell.getText()
    cur = text.createTextCursor()
    cur.gotoStart(False)
    cur.goRight(start, False)
    cur.goRight(length, True)
    for k, v in props.items():
        cur.setPropertyValue(k, v)


def add_richtext(doc):
    ms = doc.Sheets.getByName("Milestones")
    h = headers(ms, 12)
    col_name, col_notes = h.index("Milestone"), h.index("Notes")
    done = []

    r = find_row(ms, 0, "M-0002")
    cell = ms.getCellByPosition(col_name, r)
    s = cell.getString()  # "Pricing page A/B test <v2> & FAQ"
    i = s.index("A/B test")
    format_run(cell, i, len("A/B test"), CharWeight=BOLD)
    j = s.index("FAQ")
    format_run(cell, j, 3, CharPosture=ITALIC, CharColor=0xC00000)
    done.append("Milestones name M-0002")

    r = find_row(ms, 0, "M-0003")
    cell = ms.getCellByPosition(col_notes, r)
    s = cell.getString()  # "Metering API fails load test at 2k events/s"
    i = s.index("2k events/s")
    format_run(cell, i, len("2k events/s"), CharWeight=BOLD, CharColor=0x1F4E79)
    done.append("Milestones notes M-0003")

    team = doc.Sheets.getByName("Team")
    cell = team.getCellByPosition(0, 3)
    s = cell.getString()
    format_run(cell, 0, s.index(" "), CharWeight=BOLD)
    done.append("Team name " + s)
    return done


def add_pivot(doc):
    sheets = doc.Sheets
    ms = sheets.getByName("Milestones")
    h = headers(ms, 12)
    src = ms.getCellRangeByPosition(0, 0, h.index("Notes"), last_row_with_id(ms)).getRangeAddress()
    sheets.insertNewByName("Pivot", sheets.getCount())
    pivot_sheet = sheets.getByName("Pivot")
    tables = pivot_sheet.getDataPilotTables()
    desc = tables.createDataPilotDescriptor()
    desc.setSourceRange(src)
    fields = desc.getDataPilotFields()

    def field(name):
        return fields.getByIndex(h.index(name))

    field("Owner").Orientation = ROW
    field("Status").Orientation = COLUMN
    field("Priority").Orientation = PAGE
    data = field("ID")
    data.Orientation = DATA
    data.Function = COUNT
    where = CellAddress()
    where.Sheet, where.Column, where.Row = sheets.getCount() - 1, 0, 0
    tables.insertNewByName("MilestonesByOwnerStatus", where, desc)
    return "Pivot!A1 count of ID by Owner x Status, page Priority, source Milestones " + \
        "A1:{}{}".format(chr(ord("A") + h.index("Notes")), last_row_with_id(ms) + 1)


def main():
    pipe, sample, allx, out = sys.argv[1:5]
    desktop = connect(pipe)

    doc = load(desktop, sample)
    what = add_pivot(doc)
    store(doc, os.path.join(out, "libreoffice-pivot.xlsx"))
    print("libreoffice-pivot.xlsx: " + what)

    doc = load(desktop, sample)
    what = add_richtext(doc)
    store(doc, os.path.join(out, "libreoffice-richtext.xlsx"))
    print("libreoffice-richtext.xlsx: " + "; ".join(what))

    doc = load(desktop, allx)
    what = add_richtext(doc) + [add_pivot(doc)]
    store(doc, os.path.join(out, "libreoffice-all.xlsx"))
    print("libreoffice-all.xlsx: openpyxl-all + " + "; ".join(what))

    try:
        desktop.terminate()
    except Exception:  # the bridge goes away as soffice exits
        pass


if __name__ == "__main__":
    main()
