"""Server-rendered inline SVG charts: readable at a glance, no JavaScript, no CDN."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

W, H, LEFT, RIGHT, TOP, BOTTOM = 360, 150, 34, 10, 14, 26


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"


def line_chart(*, points: list[tuple[str, float | None]], target: float | None = None,
               title: str = "", higher_is_better: bool = True) -> SafeString:
    """A month-by-month line with its values printed, and the target as a dashed line; a point
    on the wrong side of the target is red."""
    values = [v for _, v in points if v is not None]
    top = max(values + ([target] if target is not None else []) + [0.0]) or 1.0
    top *= 1.15
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step if len(points) > 1 else LEFT + plot_w / 2

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f'<title>{escape(title)}</title>',
             f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{W - RIGHT}" y2="{y(0):.1f}" '
             'stroke="#bbc"/>']
    if target is not None:
        parts.append(f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{W - RIGHT}" '
                     f'y2="{y(target):.1f}" stroke="#2e7d32" stroke-dasharray="5 4"/>'
                     f'<text x="2" y="{y(target) + 4:.1f}" font-size="10" fill="#2e7d32">'
                     f'{_fmt(target)}</text>')
    line = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points)
                    if v is not None)
    if line:
        parts.append(f'<polyline points="{line}" fill="none" stroke="#14365d" '
                     'stroke-width="2"/>')
    for i, (label, value) in enumerate(points):
        if i % max(1, len(points) // 6) == 0 or i == len(points) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{H - 8}" font-size="10" '
                         f'text-anchor="middle" fill="#556">{escape(label)}</text>')
        if value is None:
            continue
        bad = target is not None and (value < target if higher_is_better else value > target)
        colour = "#b00020" if bad else "#14365d"
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}">'
                     f'<title>{escape(label)}: {_fmt(value)}</title></circle>')
        if len(points) <= 12:
            parts.append(f'<text x="{x(i):.1f}" y="{y(value) - 6:.1f}" font-size="9" '
                         f'text-anchor="middle" fill="{colour}">{_fmt(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_list(*, rows: list[tuple[str, int]]) -> SafeString:
    """Horizontal bars for a breakdown (failure type, cause, store)."""
    top = max([n for _, n in rows] + [1])
    height = 18 * len(rows) + 4
    parts = [f'<svg class="chart bars" viewBox="0 0 {W} {height}" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, n) in enumerate(rows):
        width = (W - 150) * n / top
        parts.append(f'<text x="0" y="{18 * i + 14}" font-size="11">{escape(label)}</text>'
                     f'<rect x="110" y="{18 * i + 4}" width="{width:.1f}" height="12" '
                     f'fill="#14365d"/><text x="{114 + width:.1f}" y="{18 * i + 14}" '
                     f'font-size="11">{n}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
