"""The PDF report of a period (reportlab): summary, per-service table, arrivals per hour and wait times.

Written in the asked language, else the centre's.  Text is set in DejaVu Sans where it is installed (the font
printed tickets use for Cyrillic: a Russian report reads as Russian), else in Bitstream Vera, which ships inside
reportlab (Latin only); either is embedded with its Unicode map, so the text extracts.  reportlab neither joins
Arabic letters nor orders a right-to-left line, so a report asked for in a right-to-left language is written
in the centre's default language (English if that too is right to left) rather than as broken letters.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from babel.numbers import format_decimal
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printer.glyphs import font_file

from ..domain.statistics import APPOINTMENT, WALK_IN, Summary
from ..i18n.catalogue import RTL, text
from ..i18n.formats import format_day, format_moment, locale_of
from .context import Context
from .statistics import StatsReport

FONT, BOLD = "VuoroReport", "VuoroReport-Bold"
#: the width the tables fill (A4 less the margins), their cells' side padding, a figure column's least width
TABLE_WIDTH, PAD, FIGURE_MIN = 174 * mm, 3, 12 * mm
#: the per-service table's column names: they wrap between words, never inside one (splitLongWords off)
HEADER = ParagraphStyle("th", fontName=BOLD, fontSize=7.5, leading=9, alignment=2, splitLongWords=0)


#: a row's name in the walk-ins and appointments table
KIND_TEXT = {WALK_IN: "report.walk_ins", APPOINTMENT: "report.appointments"}


def t(key: str, language: str) -> str:
    """A text of the report (``report.*`` in the catalogues)."""
    return text(key, language)


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        regular, bold = font_file(), font_file(bold=True)
        pdfmetrics.registerFont(TTFont(FONT, str(regular) if regular else "Vera.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD, str(bold) if regular and bold else "VeraBd.ttf"))


def report_language(asked: str | None, default: str) -> str:
    """The language the report is written in: the asked one, unless it is written right to left."""
    for language in (asked, default, "en"):
        if language and language not in RTL:
            return language
    return "en"


def _num(value: float | None, language: str, digits: int = 1) -> str:
    if value is None:
        return "–"
    return format_decimal(
        round(value, digits), format="0" if digits == 0 else "0." + "0" * digits, locale=locale_of(language)
    )


def _minutes(seconds: float | None, language: str) -> str:
    return _num(None if seconds is None else seconds / 60, language)


def _share(value: float | None, language: str) -> str:
    return "–" if value is None else f"{_num(value * 100, language, 0)} %"


def _day(d: date, language: str) -> str:
    return format_day(d, language)


def _table(rows: Sequence[Sequence[object]], widths: Sequence[float], header_rows: int = 1) -> Table:
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=header_rows)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8.5),
                ("FONT", (0, 0), (-1, header_rows - 1), BOLD, 8.5),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8edf3")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0da")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ]
        )
    )
    return table


def fitted_widths(headers: Sequence[str], total: float = TABLE_WIDTH) -> list[float]:
    """Each figure column as wide as its header's longest word, so a header wraps only between words in every
    language ("tavoiteajassa", "Betjäningstid"); the first column (the service's name) gets the rest."""
    widths = [
        max(FIGURE_MIN, max(stringWidth(w, BOLD, HEADER.fontSize) for w in h.split()) + 2 * PAD + 1)
        for h in headers[1:]
    ]
    return [total - sum(widths), *widths]


def _service_headers(language: str) -> list[str]:
    mins = t("report.min", language)
    return [
        t("report.service", language),
        t("report.errands", language),
        t("report.served", language),
        t("report.no_shows", language),
        f"{t('report.wait', language)} ({mins})",
        t("report.median", language),
        t("report.p90", language),
        f"{t('report.service_time', language)} ({mins})",
        t("report.within", language),
    ]


def _summary_rows(s: Summary, language: str) -> list[list[str]]:
    mins = t("report.min", language)
    return [
        [t("report.summary", language), ""],
        [t("report.visits", language), str(s.visits)],
        [t("report.errands", language), str(s.errands)],
        [t("report.served", language), str(s.served)],
        [t("report.no_shows", language), str(s.no_shows)],
        [t("report.cancelled", language), str(s.cancelled)],
        [t("report.expired", language), str(s.expired)],
        [
            f"{t('report.wait', language)}, {t('report.mean', language)} / {t('report.median', language)} / "
            f"{t('report.p90', language)} ({mins})",
            " / ".join(_minutes(v, language) for v in (s.wait.mean_s, s.wait.median_s, s.wait.p90_s)),
        ],
        [
            f"{t('report.service_time', language)}, {t('report.mean', language)} / {t('report.median', language)} / "
            f"{t('report.p90', language)} ({mins})",
            " / ".join(
                _minutes(v, language) for v in (s.service_time.mean_s, s.service_time.median_s, s.service_time.p90_s)
            ),
        ],
        [t("report.within", language), _share(s.served_within_target, language)],
    ]


def _kind_headers(language: str) -> list[str]:
    mins = t("report.min", language)
    return [
        "",
        t("report.errands", language),
        t("report.served", language),
        t("report.no_shows", language),
        f"{t('report.wait', language)}, {t('report.median', language)} ({mins})",
        f"{t('report.punctuality', language)}, {t('report.median', language)} ({mins})",
        f"{t('report.punctuality', language)}, {t('report.p90', language)} ({mins})",
    ]


def _kind_rows(report: StatsReport, language: str) -> list[list[object]]:
    """Walk-ins and appointments apart: their waits, and how near its booked time an appointment was called."""
    rows: list[list[object]] = [[Paragraph(_esc(c), HEADER) for c in _kind_headers(language)]]
    for kind, s in report.by_kind.items():
        rows.append(
            [
                t(KIND_TEXT[kind], language),
                str(s.errands),
                str(s.served),
                str(s.no_shows),
                _minutes(s.wait.median_s, language),
                _minutes(s.punctuality.median_s, language),
                _minutes(s.punctuality.p90_s, language),
            ]
        )
    return rows


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
    drawing.add(String(0, 57 * mm, t("report.arrivals", language), fontName=BOLD, fontSize=9))
    return drawing


def _waits_chart(report: StatsReport, ctx: Context, language: str) -> Drawing:
    items = [(k, s) for k, s in report.by_service.items() if s.wait.n]
    height = max(40, 12 + 9 * len(items)) * mm
    drawing = Drawing(170 * mm, height + 10 * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 55 * mm, 8 * mm, 110 * mm, height - 8 * mm
    chart.data = [
        [(s.wait.median_s or 0) / 60 for _, s in items] or [0],
        [(s.wait.p90_s or 0) / 60 for _, s in items] or [0],
    ]
    names = [
        ctx.config.text(ctx.config.service_map[k].name, language) if k in ctx.config.service_map else k
        for k, _ in items
    ]
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
    legend.colorNamePairs = [
        (colors.HexColor("#3b6ea5"), t("report.median", language)),
        (colors.HexColor("#e0a030"), t("report.p90", language)),
    ]
    drawing.add(legend)
    drawing.add(String(0, height + 6 * mm, t("report.waits", language), fontName=BOLD, fontSize=9))
    return drawing


def render_report(ctx: Context, report: StatsReport, language: str | None = None) -> bytes:
    """The report as PDF bytes."""
    _fonts()
    language = report_language(language, ctx.config.centre.language)
    cfg = ctx.config
    centre = cfg.text(cfg.centre.name, language)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{t('report.title', language)} – {centre}",
        author="Vuoro",
        lang=language,
    )
    h1 = ParagraphStyle("h1", fontName=BOLD, fontSize=16, leading=20, spaceAfter=2 * mm)
    h2 = ParagraphStyle("h2", fontName=BOLD, fontSize=11, leading=14, spaceBefore=5 * mm, spaceAfter=2 * mm)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    period = f"{_day(report.start, language)} – {_day(report.end, language)}"
    generated = format_moment(ctx.now().astimezone(cfg.centre.tz), language)
    story: list[Any] = [
        Paragraph(_esc(f"{t('report.title', language)}: {centre}"), h1),
        Paragraph(
            _esc(f"{t('report.period', language)} {period} · {t('report.generated', language)} {generated}"), body
        ),
        Spacer(1, 4 * mm),
        _table(_summary_rows(report.summary, language), [120 * mm, TABLE_WIDTH - 120 * mm]),
    ]
    if not report.summary.errands:
        story.append(Paragraph(_esc(t("report.none", language)), body))
    headers = _service_headers(language)
    rows: list[list[object]] = [[Paragraph(_esc(c), HEADER) for c in headers]]
    for key, s in report.by_service.items():
        name = cfg.text(cfg.service_map[key].name, language) if key in cfg.service_map else key
        rows.append(
            [
                Paragraph(_esc(name), body),
                str(s.errands),
                str(s.served),
                str(s.no_shows),
                _minutes(s.wait.mean_s, language),
                _minutes(s.wait.median_s, language),
                _minutes(s.wait.p90_s, language),
                _minutes(s.service_time.mean_s, language),
                _share(s.served_within_target, language),
            ]
        )
    story += [Paragraph(_esc(t("report.by_service", language)), h2), _table(rows, fitted_widths(headers))]
    if report.summary.appointments:
        story += [
            Paragraph(_esc(t("report.by_kind", language)), h2),
            Paragraph(_esc(t("report.punctuality_note", language)), body),
            Spacer(1, 2 * mm),
            _table(_kind_rows(report, language), fitted_widths(_kind_headers(language))),
        ]
    story += [
        Spacer(1, 5 * mm),
        _arrivals_chart(report.summary, language),
        Spacer(1, 5 * mm),
        _waits_chart(report, ctx, language),
    ]
    fb = report.feedback
    story += [
        Paragraph(_esc(t("report.feedback", language)), h2),
        Paragraph(
            _esc(
                f"{t('report.answers', language)}: {fb.answers} · {t('report.mean_rating', language)}: "
                f"{_num(fb.mean_rating, language, 2)}"
            ),
            body,
        ),
    ]
    doc.build(story)
    return buf.getvalue()


def _esc(text: str) -> str:
    """Paragraph text is a small markup language: escape what the config or the data could put in it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
