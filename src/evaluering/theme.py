"""One colour-blind-safe look for every figure, and figures as accessible HTML.

The palette is Okabe & Ito (2008), distinguishable with the common colour-vision
deficiencies. :func:`figure_html` renders a matplotlib figure to a PNG embedded in
``<figure>`` with a title, alt text, unit and source, so reports work offline and
screen readers get a description. The embedded SVG carries no date and fixed ids, so the
same figure gives the same bytes.

>>> PALETTE[0]
'#0072B2'
"""

from __future__ import annotations

import base64
import html
import io

__all__ = ["PALETTE", "LEVEL_COLOURS", "STATUS_COLOURS", "status_slug", "status_css", "apply", "new_figure", "set_title", "figure_html", "close"]

#: Okabe-Ito colours, blue first
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

#: one fixed colour per comparison level, the same in every figure
LEVEL_COLOURS = {
    "plan": "#0072B2",
    "plan_part": "#56B4E9",
    "estate": "#56B4E9",
    "municipality": "#E69F00",
    "public_housing": "#009E73",
    "country": "#CC79A7",
    "target": "#D55E00",
}


#: a criterion's or goal's status -> (background, border) of its label: blue when met or on
#: track, orange when not (Okabe-Ito; no red/green), grey when data are missing. The label
#: always says the status in words; colour is never the only cue.
STATUS_COLOURS = {
    "opfyldt": ("#cfe8ff", "#0072B2"),
    "på rette vej": ("#e3f1fb", "#56B4E9"),
    "ikke på rette vej": ("#fdf0dc", "#E69F00"),
    "ikke opfyldt": ("#ffe3c2", "#D55E00"),
    "mangler data": ("#f2f2f2", "#777777"),
}


def status_slug(status: str) -> str:
    """The CSS class suffix of a status: ``"på rette vej"`` -> ``"paa-rette-vej"``.

    >>> status_slug("ikke på rette vej")
    'ikke-paa-rette-vej'
    """
    import re

    text = str(status).lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "ukendt"


def status_css() -> str:
    """CSS rules ``.status-<slug>`` for :data:`STATUS_COLOURS` (the report and the batch
    index use the same)."""
    rules = [f".status-{status_slug(s)}{{background:{bg};border:1px solid {border}}}"
             for s, (bg, border) in STATUS_COLOURS.items()]
    return "\n".join(rules) + "\n.status-mangler-data{border-style:dashed}"

def apply() -> None:
    """Set the seaborn/matplotlib theme used everywhere (call once per notebook)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE,
                  rc={"figure.dpi": 100, "savefig.dpi": 100, "axes.titleweight": "bold",
                      "axes.titlesize": 12, "font.family": "DejaVu Sans",
                      "svg.hashsalt": "evaluering", "svg.fonttype": "none",
                      "figure.max_open_warning": 0})
    plt.rcParams["axes.formatter.use_locale"] = False


def new_figure(figsize: tuple[float, float], *, left: float, right: float, bottom: float,
               top: float):
    """A figure with one axes and fixed margins, outside pyplot: ``(fig, ax)``.

    Report figures are rendered once and never shown by a GUI, so they need no pyplot
    figure manager; fixed margins mean one draw and no layout pass. The theme of
    :func:`apply` (rcParams) applies as to any figure.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=figsize)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    ax = fig.add_subplot()
    # at most seven value ticks: enough to read a 3-4 inch high chart, and each tick is a
    # set of artists to lay out and draw
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    return fig, ax


def set_title(ax, title: str, loc: str = "center") -> None:
    """The axes title at a fixed height above the axes (no automatic placement pass,
    which costs a third of drawing a figure; report axes have nothing on top)."""
    ax.set_title(title, loc=loc, y=1.0, pad=8)


def figure_html(fig, title: str, alt: str, source: str, unit: str | None = None,
                note: str | None = None) -> str:
    """Render ``fig`` as ``<figure>`` HTML with an embedded SVG, alt text and caption.

    The figure is closed afterwards. Returns an HTML string (wrap it in
    ``IPython.display.HTML`` to show it).
    """
    import matplotlib.pyplot as plt

    import matplotlib

    buf = io.BytesIO()
    # SVG with text kept as text: half the time of a PNG, sharp in print; no date stamped in
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "evaluering"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)  # a no-op for a figure of new_figure
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    caption = f"<strong>{html.escape(title)}</strong>"
    if unit:
        caption += f" Enhed: {html.escape(unit.rstrip('.'))}."
    caption += f" Kilde: {html.escape(source)}."
    if note:
        caption += f" {html.escape(note)}"
    return (f'<figure class="ev-figure"><img src="data:image/svg+xml;base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width:100%">'
            f"<figcaption>{caption}</figcaption></figure>")


def close(fig) -> None:
    """Close a figure without rendering it."""
    import matplotlib.pyplot as plt

    plt.close(fig)
