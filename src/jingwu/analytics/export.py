"""A review as a printable A4 PDF (fpdf2 with Noto Sans CJK SC) and as an XLSX workbook.

Charts in the PDF are drawn with fpdf2's own primitives (lines, rectangles), so the PDF needs
nothing beyond pip: no browser, no matplotlib, no system fonts.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill

from jingwu.analytics.schemas import CountRow, PlaceRow, ReviewOut
from jingwu.core.clock import format_local

FONT_FILE = "NotoSansCJKsc-Regular.otf"
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
INK = (33, 37, 41)
ACCENT = (192, 57, 43)
BLUE = (41, 98, 155)
GREY = (150, 150, 150)


@lru_cache(maxsize=1)
def cjk_font() -> Path:
    """The Noto Sans CJK SC font the mplfonts wheel ships (SIL OFL)."""
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / FONT_FILE
        if path.exists():
            return path
    raise FileNotFoundError(f"{FONT_FILE} not found: install the mplfonts wheel")


def _pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.0f}%"


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.review_title = title
        self.add_font("cjk", "", str(cjk_font()))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(*GREY)
        self.cell(
            0, 5, f"{self.review_title} · 第 {self.page_no()} 页 · 内部资料 注意保存", align="C"
        )


def _heading(pdf: _Pdf, text: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 55:  # no heading alone at the foot of a page
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("cjk", size=12.5)
    pdf.set_text_color(*BLUE)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*BLUE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=10)


def _bars(
    pdf: _Pdf,
    labels: list[str],
    values: list[float],
    *,
    height: float = 45.0,
    line: list[float] | None = None,
) -> None:
    """A bar chart across the page; ``line`` draws a reference series over the bars."""
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    x0, y0 = pdf.l_margin + 8, pdf.get_y() + 2
    width = pdf.w - pdf.l_margin - pdf.r_margin - 10
    top = max([*values, *(line or []), 1.0])
    n = max(len(values), 1)
    step = width / n
    pdf.set_draw_color(*GREY)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    pdf.set_font("cjk", size=6.5)
    pdf.set_text_color(*GREY)
    pdf.set_xy(pdf.l_margin - 2, y0 - 1.5)
    pdf.cell(9, 3, f"{top:.0f}", align="R")
    pdf.set_fill_color(*BLUE)
    for i, value in enumerate(values):
        bar = height * value / top
        pdf.rect(x0 + i * step + step * 0.15, y0 + height - bar, step * 0.7, bar, style="F")
    if line:
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.5)
        points = [
            (x0 + (i + 0.5) * step, y0 + height - height * v / top) for i, v in enumerate(line)
        ]
        for a, b in itertools.pairwise(points):
            pdf.line(a[0], a[1], b[0], b[1])
        pdf.set_line_width(0.2)
    every = max(1, round(n / 16))
    for i, text in enumerate(labels):
        if i % every == 0:
            pdf.set_xy(x0 + i * step - step, y0 + height + 0.5)
            pdf.cell(step * 3, 3, text, align="C")
    pdf.set_text_color(*INK)
    pdf.set_y(y0 + height + 6)


def _heat(pdf: _Pdf, heat: list[list[int]]) -> None:
    height = 7 * 5.0 + 8
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    x0, y0 = pdf.l_margin + 10, pdf.get_y() + 1
    cell_w = (pdf.w - pdf.l_margin - pdf.r_margin - 12) / 24
    top = max((max(row) for row in heat), default=0) or 1
    pdf.set_font("cjk", size=6.5)
    for d, row in enumerate(heat):
        pdf.set_xy(pdf.l_margin, y0 + d * 5 + 0.8)
        pdf.cell(9, 3.5, WEEKDAYS[d])
        for h, value in enumerate(row):
            level = value / top
            pdf.set_fill_color(
                int(255 - level * (255 - ACCENT[0])),
                int(255 - level * (255 - ACCENT[1])),
                int(255 - level * (255 - ACCENT[2])),
            )
            pdf.rect(x0 + h * cell_w, y0 + d * 5, cell_w - 0.3, 4.7, style="F")
    for h in range(0, 24, 2):
        pdf.set_xy(x0 + h * cell_w, y0 + 7 * 5 + 0.5)
        pdf.cell(cell_w, 3, f"{h}", align="C")
    pdf.set_y(y0 + 7 * 5 + 6)


def _table(pdf: _Pdf, header: list[str], rows: list[list[str]], widths: Sequence[float]) -> None:
    pdf.set_font("cjk", size=9)
    pdf.set_fill_color(235, 240, 246)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 6.5, text, border=1, fill=True, align="C")
    pdf.ln()
    for row in rows:
        if pdf.get_y() + 6 > pdf.h - pdf.b_margin:
            pdf.add_page()
        for i, (text, width) in enumerate(zip(row, widths, strict=True)):
            pdf.cell(width, 6, text, border=1, align="L" if i == 0 else "R")
        pdf.ln()
    pdf.ln(2)


def _count_rows(rows: list[CountRow]) -> list[list[str]]:
    return [
        [
            ("⚠ " if r.unusual else "") + r.name,
            str(r.count),
            str(r.previous),
            _pct(r.change_prev_pct),
            str(r.year_before),
            _pct(r.change_yoy_pct),
            f"{r.p_value:.3g}",
        ]
        for r in rows
    ]


def _place_rows(rows: list[PlaceRow]) -> list[list[str]]:
    return [
        [
            r.name,
            str(r.count),
            f"{r.share_pct:.1f}%",
            str(r.previous),
            str(r.year_before),
            r.top_category,
        ]
        for r in rows
    ]


def review_pdf(review: ReviewOut) -> bytes:
    pdf = _Pdf(review.title)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.set_text_color(*INK)
    pdf.cell(0, 11, review.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10.5)
    pdf.set_text_color(*GREY)
    pdf.cell(
        0,
        6,
        f"{review.period_label} · 生成于 {format_local(review.generated_at)}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(*INK)

    _heading(pdf, "一、要情摘要")
    pdf.set_font("cjk", size=10.5)
    for line in review.highlights:
        pdf.multi_cell(
            0, 6.2, f"· {line}", align="L", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT"
        )
    if review.tiles:
        _heading(pdf, "二、主要指标（同比）")
        rows = []
        for tile in review.tiles:
            value = (
                "暂无数据"
                if tile.value is None
                else f"{tile.value:g}{'' if tile.unit == '%' else ' '}{tile.unit}"
            )
            change = (
                "—"
                if tile.change is None
                else (
                    f"{tile.change:+.1f}个百分点"
                    if tile.change_unit == "pp"
                    else f"{tile.change:+.0f}%"
                )
            )
            before = "—" if tile.year_before is None else f"{tile.year_before:g}"
            rows.append([tile.label, value, before, change])
        _table(pdf, ["指标", "本期", "去年同期", "同比"], rows, [60, 40, 40, 40])

    _heading(pdf, "三、警情走势")
    _bars(
        pdf,
        review.trend_labels,
        [float(v) for v in review.trend],
        line=[float(v) for v in review.trend_previous]
        if len(review.trend_previous) == len(review.trend)
        else None,
    )
    pdf.set_font("cjk", size=8)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 4, "柱：本期；红线：上一周期同位置", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    _heading(pdf, "四、24小时分布")
    _bars(
        pdf,
        [f"{h}时" for h in range(24)],
        [float(v) for v in review.hours],
        line=review.hours_reference,
    )
    _heading(pdf, f"五、星期×时段热力（近{review.heat_days}天）")
    _heat(pdf, review.heat)

    _heading(pdf, "六、警情类别")
    header = ["类别", "本期", "上期", "环比", "去年同期", "同比", "p值"]
    widths = [50, 18, 18, 22, 22, 22, 28]
    _table(pdf, header, _count_rows(review.categories), widths)
    if review.subtypes:
        _table(pdf, ["刑事细类", *header[1:]], _count_rows(review.subtypes), widths)
    _heading(pdf, "七、警务区与村（社区）")
    place_header = ["名称", "本期", "占比", "上期", "去年同期", "主要类别"]
    place_widths = [50, 20, 22, 22, 26, 40]
    _table(pdf, place_header, _place_rows(review.beats), place_widths)
    _table(pdf, place_header, _place_rows(review.communities), place_widths)
    if review.key_incidents:
        _heading(pdf, "八、重点警情")
        _table(
            pdf,
            ["编号", "时间", "类别", "地址"],
            [
                [k.number, format_local(k.at), k.category, k.place[:26]]
                for k in review.key_incidents
            ],
            [36, 32, 40, 72],
        )
    return bytes(pdf.output())


def review_xlsx(review: ReviewOut) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "摘要"
    bold = Font(bold=True)
    sheet["A1"] = review.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = review.period_label
    sheet["A3"] = (
        f"本期 {review.total} 起；上期 {review.previous_total} 起；去年同期 {review.year_before_total} 起"
    )
    for i, line in enumerate(review.highlights, start=5):
        sheet.cell(row=i, column=1, value=line).alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["A"].width = 100
    if review.tiles:
        tiles = book.create_sheet("指标")
        tiles.append(["指标", "本期", "去年同期", "同比", "单位", "说明"])
        for tile in review.tiles:
            tiles.append(
                [tile.label, tile.value, tile.year_before, tile.change, tile.unit, tile.note]
            )

    header = ["类别", "本期", "上期", "环比%", "去年同期", "同比%", "基线", "z", "p值", "异常上升"]
    cats = book.create_sheet("类别")
    cats.append(header)
    for row in review.categories + review.subtypes:
        cats.append(
            [
                row.name,
                row.count,
                row.previous,
                row.change_prev_pct,
                row.year_before,
                row.change_yoy_pct,
                row.baseline,
                row.z,
                row.p_value,
                "是" if row.unusual else "",
            ]
        )
        if row.unusual:
            for cell in cats[cats.max_row]:
                cell.fill = PatternFill("solid", fgColor="F8D7DA")
    places = book.create_sheet("区域")
    places.append(["名称", "本期", "占比%", "上期", "去年同期", "主要类别"])
    for place in review.beats + review.communities:
        places.append(
            [
                place.name,
                place.count,
                place.share_pct,
                place.previous,
                place.year_before,
                place.top_category,
            ]
        )

    hours = book.create_sheet("24小时")
    hours.append(["时", "本期", "前几期平均"])
    for h in range(24):
        hours.append([h, review.hours[h], review.hours_reference[h]])
    chart = LineChart()
    chart.title = "24小时分布"
    chart.add_data(
        Reference(hours, min_col=2, max_col=3, min_row=1, max_row=25), titles_from_data=True
    )
    chart.set_categories(Reference(hours, min_col=1, min_row=2, max_row=25))
    hours.add_chart(chart, "E2")

    heat = book.create_sheet("星期×时段")
    heat.append(["", *range(24)])
    for d, counts in enumerate(review.heat):
        heat.append([WEEKDAYS[d], *counts])

    trend = book.create_sheet("走势")
    trend.append(["时间", "本期", "上期"])
    for i, text in enumerate(review.trend_labels):
        previous = review.trend_previous[i] if i < len(review.trend_previous) else None
        trend.append([text, review.trend[i], previous])
    bars = BarChart()
    bars.title = "警情走势"
    bars.add_data(
        Reference(trend, min_col=2, max_col=2, min_row=1, max_row=len(review.trend) + 1),
        titles_from_data=True,
    )
    bars.set_categories(Reference(trend, min_col=1, min_row=2, max_row=len(review.trend) + 1))
    trend.add_chart(bars, "E2")

    key = book.create_sheet("重点警情")
    key.append(["编号", "时间", "类别", "地址", "优先级"])
    for k in review.key_incidents:
        key.append([k.number, format_local(k.at), k.category, k.place, k.priority])
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
