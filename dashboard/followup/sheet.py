"""The QR code (PNG, via segno) of a patient's self-report link and the one-page printable aftercare sheet."""

from __future__ import annotations

import base64
import html
import io
from datetime import date

import segno

from dashboard.followup.questions import EMERGENCY_TEXT, QUESTIONS


def qr_png(url: str, *, scale: int = 6) -> bytes:
    """Return a PNG of the QR code for a URL (error correction M, quiet zone of 4 modules)."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def aftercare_sheet(url: str, *, clinic: str, treated_on: date, expires_on: date, phone: str | None,
                    review_day: int = 14, watch_until_day: int = 28) -> str:
    """Return a self-contained HTML page (one A4 page when printed) with aftercare advice, the link and its QR code.

    Every value is HTML-escaped; the page carries no script."""
    e = html.escape
    qr = base64.b64encode(qr_png(url, scale=5)).decode("ascii")
    questions = "".join(f"<li>{e(q.text)}</li>" for q in QUESTIONS)
    call = f"Call the clinic on <b>{e(phone)}</b>." if phone else "Call the clinic."
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Aftercare - {e(clinic)}</title>
<style>
@page {{ size: A4; margin: 16mm; }}
body {{ font-family: system-ui, sans-serif; font-size: 11.5pt; line-height: 1.4; color: #111; max-width: 180mm; }}
h1 {{ font-size: 18pt; margin: 0 0 4pt; }} h2 {{ font-size: 13pt; margin: 12pt 0 4pt; }}
.urgent {{ border: 2pt solid #b00020; padding: 6pt 10pt; }}
.qr {{ float: right; margin: 0 0 8pt 12pt; text-align: center; font-size: 9pt; }}
.link {{ word-break: break-all; font-family: monospace; font-size: 9pt; }}
</style></head><body>
<h1>After your treatment</h1>
<p>{e(clinic)} &middot; treatment on {treated_on:%d %B %Y}</p>
<div class="qr"><img alt="QR code of your report link" width="180" height="180"
 src="data:image/png;base64,{qr}"><br>Scan to tell us how you are</div>
<h2>For the next days</h2>
<ul><li>Stay upright for 4 hours and do not rub or press the treated areas.</li>
<li>Avoid hard exercise, saunas and alcohol for 24 hours.</li>
<li>The full effect shows after about 2 weeks. We will check with you around day {review_day}.</li></ul>
<h2>Tell us how you are</h2>
<p>Scan the code or open the link below on your phone at any time in the next 6 weeks (it works until
{expires_on:%d %B %Y}). It asks:</p>
<ul>{questions}</ul>
<p class="link">{e(url)}</p>
<div class="urgent"><h2>Get help at once</h2>
<p>{e(EMERGENCY_TEXT)} Watch for these signs until day {watch_until_day}. {call}</p></div>
<p>Keep this sheet. Only you and your clinic can use this link; it shows nothing but your treatment date and the
clinic's name.</p>
</body></html>"""
