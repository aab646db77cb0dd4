"""The pages' style sheet, inline in each page so that it is one file."""

CSS = """
* { box-sizing: border-box; }
body { margin: 0; background: #f6f8fa; color: #1f2328;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
nav.toc { position: fixed; top: 0; left: 0; bottom: 0; width: 240px;
  overflow-y: auto; background: #fff; border-right: 1px solid #d0d7de;
  padding: 18px 14px; font-size: 13px; }
nav.toc h2 { font-size: 14px; margin: 0 0 8px; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc li { margin: 2px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
nav.toc a { color: #0969da; text-decoration: none; }
nav.toc .dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%;
  margin-right: 6px; vertical-align: 0; }
main { margin-left: 240px; padding: 20px 32px 40px; max-width: 1080px; }
h1 { font-size: 24px; margin: 4px 0 4px; }
h2 { font-size: 19px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.sub { color: #59636e; margin: 0 0 12px; }
section.card { background: #fff; border: 1px solid #d0d7de; border-radius: 8px;
  padding: 16px 22px; margin: 18px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eaeef2; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts { width: auto; }
table.facts th { background: none; color: #59636e; font-weight: 500; padding-right: 24px; }
.badge { display: inline-block; min-width: 44px; text-align: center; padding: 0 8px;
  border-radius: 10px; font-weight: 650; font-size: 12px; text-transform: uppercase;
  letter-spacing: .03em; }
.pass { background: #dafbe1; color: #116329; }
.fail { background: #ffebe9; color: #a40e26; }
.skip { background: #fff1c2; color: #7d4e00; }
.error { background: #f3e8ff; color: #6e40c9; }
.dot.pass { background: #2da44e; } .dot.fail { background: #cf222e; }
.dot.skip { background: #d4a72c; } .dot.error { background: #8250df; }
tr.row-fail td:first-child, tr.row-error td:first-child { box-shadow: inset 3px 0 #cf222e; }
.counts { display: flex; gap: 10px; margin: 8px 0 14px; flex-wrap: wrap; }
.counts span { padding: 4px 12px; border-radius: 6px; font-weight: 600; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.reason { color: #a40e26; }
.reason.skip-reason { color: #59636e; background: none; }
td.name, td.variant { white-space: nowrap; }
th.expect { min-width: 240px; }
tr.row-fail td, tr.row-error td { background: #fff8f7; }
.facts-grid { display: grid; grid-template-columns: max-content 1fr max-content 1fr;
  gap: 5px 18px; font-size: 14px; }
.facts-grid dt { color: #59636e; }
.facts-grid dd { margin: 0; }
td.notrun { color: #8c959f; font-style: italic; }
table.matrix { width: auto; min-width: 60%; }
table.matrix td, table.matrix th { padding-right: 28px; }
table.lat { font-size: 13px; }
div.scroll { overflow-x: auto; }
table.lat th, table.lat td { padding: 3px 6px; }
table.lat tr.scn td { background: #f6f8fa; font-weight: 600; padding-top: 7px; }
table.lat th.run, table.lat td.run { border-left: 2px solid #d0d7de; }
.doc { margin: 4px 0 8px; }
.meta { color: #59636e; font-size: 13px; }
img.plot { display: block; max-width: 100%; height: auto; margin: 8px 0; }
.note { color: #59636e; font-size: 13px; margin: 0 0 6px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: #0969da; }
pre.klog { background: #f6f8fa; border: 1px solid #eaeef2; border-radius: 6px;
  padding: 8px 10px; max-height: 340px; overflow: auto; white-space: pre-wrap;
  word-break: break-all; margin: 6px 0; }
mark { background: #fff1c2; }
p.skipline { margin: 10px 0; padding: 8px 14px; background: #fff; border: 1px solid #d0d7de;
  border-radius: 8px; }
td.changed { background: #fff1c2; outline: 2px solid #d4a72c; outline-offset: -2px; }
tr.differs td.name { background: #fff1c2; font-weight: bold; }
th.run { vertical-align: bottom; font-weight: normal; font-size: 0.85em; max-width: 12em;
         overflow-wrap: anywhere; }
tr.flag-slower td { background: #ffebe9; }
tr.flag-faster td { background: #dafbe1; }
.only { font-weight: 600; color: #a40e26; }
.counts span.none { background: #eaeef2; color: #59636e; }
table.bench td.note { color: #59636e; font-size: 13px; }
table.bench td.name code { font-size: 13px; }
"""
