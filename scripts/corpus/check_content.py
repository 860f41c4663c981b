#!/usr/bin/python3
"""Check that corpus fixtures kept the sample register's content.

Usage: check_content.py SAMPLE_REGISTER.xlsx FIXTURE.xlsx...

For every fixture: every tab of the sample is there, in the same order (new tabs
may follow), and every cell of the sample has the same value. A cell that became
a formula must have that value as its cached result or, when it has no cached
result (openpyxl), be one of the two literal forms the corpus uses:
="TEXT" or =DATE(y,m,d). Exit 1 on any difference.
"""

import datetime
import re
import sys

import openpyxl


def same(a, b):
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, datetime.datetime) and isinstance(b, datetime.datetime):
        return abs((a - b).total_seconds()) < 1
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    return a == b


def literal_formula(f):
    m = re.fullmatch(r'="([^"]*)"', f)
    if m:
        return m.group(1)
    m = re.fullmatch(r"=DATE\((\d+),(\d+),(\d+)\)", f)
    if m:
        return datetime.datetime(*map(int, m.groups()))
    return f


def check(sample, path):
    problems = []
    want = openpyxl.load_workbook(sample)
    got_f = openpyxl.load_workbook(path)
    got_v = openpyxl.load_workbook(path, data_only=True)
    names = got_f.sheetnames
    if names[: len(want.sheetnames)] != want.sheetnames:
        problems.append("tabs {} do not start with {}".format(names, want.sheetnames))
    for ws in want.worksheets:
        if ws.title not in names:
            continue
        gf, gv = got_f[ws.title], got_v[ws.title]
        for row in ws.iter_rows():
            for c in row:
                f = gf[c.coordinate].value
                v = gv[c.coordinate].value
                if isinstance(f, str) and f.startswith("="):
                    if v is None:
                        v = literal_formula(f)
                if not same(c.value, v):
                    problems.append("{}!{}: {!r} became {!r}".format(ws.title, c.coordinate, c.value, v))
    return problems


def main():
    sample, files = sys.argv[1], sys.argv[2:]
    bad = 0
    for path in files:
        problems = check(sample, path)
        name = path.rsplit("/", 1)[-1]
        if problems:
            bad += 1
            print("{}: {} difference(s)".format(name, len(problems)))
            for p in problems[:20]:
                print("  " + p)
        else:
            print("{}: content intact".format(name))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
