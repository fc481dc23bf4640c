"""The frame every generated page shares: one inline stylesheet, one inline script, and a
Content-Security-Policy that allows only that script (by hash), no network, no plugins.

The policy is a second wall: all submission text is already escaped (`esc`), but if a bug ever
let markup through, an injected <script> or onerror= handler would still not run.
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Any

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:1rem 1.5rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer;background:#f6f8fa;user-select:none}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
tr.unverified td{color:#57606a;background:#fbfbfb}
.badge{display:inline-block;padding:0 .4rem;border-radius:.6rem;font-size:.8rem;background:#eaeef2}
.badge.ok{background:#dafbe1}.badge.warn{background:#fff8c5}.badge.rep{background:#ddf4ff}
.note{color:#57606a;font-size:.9rem}
pre.text{white-space:pre-wrap;word-break:break-word;margin:0;font:inherit}
svg text{font:12px system-ui,sans-serif}
.bar{fill:#0969da}.bar.unverified{fill:#8c959f}.whisker{stroke:#1b1f24;stroke-width:1.5}
input#filter{width:100%;padding:.4rem;margin:.5rem 0;box-sizing:border-box}
"""

JS = """
(function(){
function key(cell){var v=cell.getAttribute('data-value');
 if(v!==null){if(v===''){return null;}var n=Number(v);if(!isNaN(n)){return n;}}
 return cell.textContent.trim().toLowerCase();}
function cmp(a,b,asc){if(a===null&&b===null){return 0;}if(a===null){return 1;}if(b===null){return -1;}
 var r=(typeof a==='number'&&typeof b==='number')?a-b:String(a).localeCompare(String(b));return asc?r:-r;}
document.querySelectorAll('table.sortable').forEach(function(t){
 var heads=t.tHead.rows[0].cells;
 Array.prototype.forEach.call(heads,function(th,col){th.addEventListener('click',function(){
  var asc=th.getAttribute('aria-sort')!=='ascending';
  Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',asc?'ascending':'descending');
  var body=t.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(x,y){return cmp(key(x.cells[col]),key(y.cells[col]),asc);});
  rows.forEach(function(r){body.appendChild(r);});});});});
var f=document.getElementById('filter');
if(f){f.addEventListener('input',function(){var q=f.value.toLowerCase();
 document.querySelectorAll('table.samples tbody tr').forEach(function(r){
  r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});}
})();
"""


def esc(value: Any) -> str:
    """Text for HTML content or a quoted attribute: <, >, &, ' and " escaped."""
    return html.escape("" if value is None else str(value), quote=True)


def script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def page(title: str, body: str) -> str:
    csp = (f"default-src 'none'; script-src '{script_hash(JS)}'; style-src 'unsafe-inline'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{esc(csp)}\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style></head>\n<body>\n{body}\n"
            f"<script>{JS}</script>\n</body></html>\n")
