"""The PDF report of a period (reportlab): summary, per-service table, arrivals per hour and wait times.

Written in the centre's language (fi, sv or en).  Text is set in Bitstream Vera, the TrueType font that ships
inside reportlab, embedded with its Unicode map: ä, ö, å and the en dash come out right and extract as text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain.statistics import Summary
from ..services.context import Context
from ..services.statistics import StatsReport

FONT, BOLD = "VuoroVera", "VuoroVera-Bold"

STRINGS: dict[str, dict[str, str]] = {
    "title": {"fi": "Asiointiraportti", "sv": "Besöksrapport", "en": "Visit report"},
    "period": {"fi": "Ajanjakso", "sv": "Period", "en": "Period"},
    "generated": {"fi": "Luotu", "sv": "Skapad", "en": "Generated"},
    "summary": {"fi": "Yhteenveto", "sv": "Sammanfattning", "en": "Summary"},
    "by_service": {"fi": "Palveluittain", "sv": "Per tjänst", "en": "By service"},
    "arrivals": {"fi": "Saapuneet tunneittain", "sv": "Ankomster per timme", "en": "Arrivals per hour"},
    "waits": {"fi": "Odotusajat palveluittain (min)", "sv": "Väntetider per tjänst (min)",
              "en": "Waiting times by service (min)"},
    "feedback": {"fi": "Palaute", "sv": "Respons", "en": "Feedback"},
    "visits": {"fi": "Käynnit (vuoronumerot)", "sv": "Besök (könummer)", "en": "Visits (tickets)"},
    "errands": {"fi": "Asioinnit", "sv": "Ärenden", "en": "Errands"},
    "served": {"fi": "Palveltu", "sv": "Betjänade", "en": "Served"},
    "no_shows": {"fi": "Ei saapunut", "sv": "Kom inte", "en": "No-shows"},
    "cancelled": {"fi": "Peruttu", "sv": "Avbokade", "en": "Cancelled"},
    "expired": {"fi": "Vanhentunut", "sv": "Förfallna", "en": "Expired"},
    "wait": {"fi": "Odotus", "sv": "Väntetid", "en": "Wait"},
    "service_time": {"fi": "Palveluaika", "sv": "Betjäningstid", "en": "Service time"},
    "mean": {"fi": "keskiarvo", "sv": "medelvärde", "en": "mean"},
    "median": {"fi": "mediaani", "sv": "median", "en": "median"},
    "p90": {"fi": "90 %", "sv": "90 %", "en": "90th pct"},
    "within": {"fi": "Palveltu tavoiteajassa", "sv": "Betjänade inom målet", "en": "Served within target"},
    "service": {"fi": "Palvelu", "sv": "Tjänst", "en": "Service"},
    "answers": {"fi": "Vastauksia", "sv": "Svar", "en": "Answers"},
    "mean_rating": {"fi": "Arvosanojen keskiarvo (1–5)", "sv": "Medelbetyg (1–5)", "en": "Mean rating (1–5)"},
    "min": {"fi": "min", "sv": "min", "en": "min"},
    "none": {"fi": "Ei asiointeja tällä ajanjaksolla.", "sv": "Inga ärenden under perioden.",
             "en": "No errands in this period."},
}


def t(key: str, language: str) -> str:
    texts = STRINGS[key]
    return texts.get(language) or texts["en"]


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))


def _num(value: float | None, language: str, digits: int = 1) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language in ("fi", "sv") else text


def _minutes(seconds: float | None, language: str) -> str:
    return _num(None if seconds is None else seconds / 60, language)


def _share(value: float | None, language: str) -> str:
    return "–" if value is None else f"{_num(value * 100, language, 0)} %"


def _day(d: date, language: str) -> str:
    return d.isoformat() if language == "en" else f"{d.day}.{d.month}.{d.year}"


def _table(rows: Sequence[Sequence[str]], widths: Sequence[float], header_rows: int = 1) -> Table:
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("FONT", (0, 0), (-1, header_rows - 1), BOLD, 8.5),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8edf3")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0da")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _summary_rows(s: Summary, language: str) -> list[list[str]]:
    mins = t("min", language)
    return [
        [t("summary", language), ""],
        [t("visits", language), str(s.visits)],
        [t("errands", language), str(s.errands)],
        [t("served", language), str(s.served)],
        [t("no_shows", language), str(s.no_shows)],
        [t("cancelled", language), str(s.cancelled)],
        [t("expired", language), str(s.expired)],
        [f"{t('wait', language)}, {t('mean', language)} / {t('median', language)} / {t('p90', language)} ({mins})",
         " / ".join(_minutes(v, language) for v in (s.wait.mean_s, s.wait.median_s, s.wait.p90_s))],
        [f"{t('service_time', language)}, {t('mean', language)} / {t('median', language)} / "
         f"{t('p90', language)} ({mins})",
         " / ".join(_minutes(v, language) for v in (s.service_time.mean_s, s.service_time.median_s,
                                                    s.service_time.p90_s))],
        [t("within", language), _share(s.served_within_target, language)],
    ]


def _arrivals_chart(s: Summary, language: str) -> Drawing:
    first = next((h for h, n in enumerate(s.arrivals_per_hour) if n), 8)
    last = max((h for h, n in enumerate(s.arrivals_per_hour) if n), default=17)
    hours = list(range(min(first, 8), max(last, 17) + 1))
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, 152 * mm, 46 * mm
    chart.data = [[s.arrivals_per_hour[h] for h in hours]]
    chart.categoryAxis.categoryNames = [f"{h:02d}" for h in hours]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#3b6ea5")
    drawing.add(chart)
    drawing.add(String(0, 57 * mm, t("arrivals", language), fontName=BOLD, fontSize=9))
    return drawing


def _waits_chart(report: StatsReport, ctx: Context, language: str) -> Drawing:
    items = [(k, s) for k, s in report.by_service.items() if s.wait.n]
    height = max(40, 12 + 9 * len(items)) * mm
    drawing = Drawing(170 * mm, height + 10 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 55 * mm, 8 * mm, 110 * mm, height - 8 * mm
    chart.data = [[(s.wait.median_s or 0) / 60 for _, s in items] or [0],
                  [(s.wait.p90_s or 0) / 60 for _, s in items] or [0]]
    names = [ctx.config.text(ctx.config.service_map[k].name, language) if k in ctx.config.service_map else k
             for k, _ in items]
    chart.categoryAxis.categoryNames = [n if len(n) <= 34 else n[:33] + "…" for n in names] or [""]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#3b6ea5")
    chart.bars[1].fillColor = colors.HexColor("#e0a030")
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 55 * mm, height + 2 * mm
    legend.fontName, legend.fontSize = FONT, 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(colors.HexColor("#3b6ea5"), t("median", language)),
                             (colors.HexColor("#e0a030"), t("p90", language))]
    drawing.add(legend)
    drawing.add(String(0, height + 6 * mm, t("waits", language), fontName=BOLD, fontSize=9))
    return drawing


def render_report(ctx: Context, report: StatsReport, language: str | None = None) -> bytes:
    """The report as PDF bytes."""
    _fonts()
    language = language or ctx.config.centre.language
    cfg = ctx.config
    centre = cfg.text(cfg.centre.name, language)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"{t('title', language)} – {centre}", author="Vuoro",
                            lang=language)
    h1 = ParagraphStyle("h1", fontName=BOLD, fontSize=16, leading=20, spaceAfter=2 * mm)
    h2 = ParagraphStyle("h2", fontName=BOLD, fontSize=11, leading=14, spaceBefore=5 * mm, spaceAfter=2 * mm)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    period = f"{_day(report.start, language)} – {_day(report.end, language)}"
    generated = ctx.now().astimezone(cfg.centre.tz).strftime("%Y-%m-%d %H:%M")
    story: list = [
        Paragraph(_esc(f"{t('title', language)}: {centre}"), h1),
        Paragraph(_esc(f"{t('period', language)} {period} · {t('generated', language)} {generated}"), body),
        Spacer(1, 4 * mm),
        _table(_summary_rows(report.summary, language), [120 * mm, 54 * mm]),
    ]
    if not report.summary.errands:
        story.append(Paragraph(_esc(t("none", language)), body))
    mins = t("min", language)
    rows = [[t("service", language), t("errands", language), t("served", language), t("no_shows", language),
             f"{t('wait', language)} ({mins})", t("median", language), t("p90", language),
             f"{t('service_time', language)} ({mins})", t("within", language)]]
    for key, s in report.by_service.items():
        name = cfg.text(cfg.service_map[key].name, language) if key in cfg.service_map else key
        rows.append([Paragraph(_esc(name), body), str(s.errands), str(s.served), str(s.no_shows),
                     _minutes(s.wait.mean_s, language), _minutes(s.wait.median_s, language),
                     _minutes(s.wait.p90_s, language), _minutes(s.service_time.mean_s, language),
                     _share(s.served_within_target, language)])
    header = ParagraphStyle("th", fontName=BOLD, fontSize=7.5, leading=9, alignment=2)
    rows[0] = [Paragraph(_esc(c), header) for c in rows[0]]
    story += [Paragraph(_esc(t("by_service", language)), h2),
              _table(rows, [46 * mm, 15 * mm, 15 * mm, 15 * mm, 17 * mm, 16 * mm, 15 * mm, 18 * mm, 17 * mm]),
              Spacer(1, 5 * mm), _arrivals_chart(report.summary, language),
              Spacer(1, 5 * mm), _waits_chart(report, ctx, language)]
    fb = report.feedback
    story += [Paragraph(_esc(t("feedback", language)), h2),
              Paragraph(_esc(f"{t('answers', language)}: {fb.answers} · {t('mean_rating', language)}: "
                             f"{_num(fb.mean_rating, language, 2)}"), body)]
    doc.build(story)
    return buf.getvalue()


def _esc(text: str) -> str:
    """Paragraph text is a small markup language: escape what the config or the data could put in it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
