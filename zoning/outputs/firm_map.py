"""Map of per-mu (亩均效益) firm classes: A green … D red, parcels without an own-land firm grey."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["CLASS_COLOURS", "plot_firm_classes"]

#: colours of the classes, best first (the same everywhere a class is drawn)
CLASS_COLOURS = ["#1a9850", "#91cf60", "#fc8d59", "#d73027", "#7f0000", "#4d004b"]


def plot_firm_classes(evaluation: Any, *, ax: Axes | None = None, lang: str = "zh") -> Axes:
    """Draw ``evaluation.parcels`` by ``firm_class`` (a :class:`zoning.FirmEvaluation`); returns the Axes.

    Examples
    --------
    >>> import zoning, matplotlib
    >>> matplotlib.use("Agg")
    >>> ev = zoning.evaluate_firms(zoning.read_table(zoning.datasets.get_path("firms")),
    ...                            zoning.read_parcels(zoning.datasets.get_path("parcels")))
    >>> ax = plot_firm_classes(ev, lang="en")
    >>> [t.get_text() for t in ax.get_legend().get_texts()][-1]
    'no own-land firm'
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from zoning.outputs._fonts import cjk_style

    pack = evaluation.rules
    classes = list(pack.firms.classes)
    colours = dict(zip(classes, CLASS_COLOURS[: len(classes)], strict=True))
    p = evaluation.parcels
    zh = lang == "zh"
    with cjk_style():
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 8))
        p.plot(ax=ax, color="#e0e0e0", linewidth=0)
        for c in classes:
            sel = p[p["firm_class"] == c]
            if len(sel):
                sel.plot(ax=ax, color=colours[c], linewidth=0)
        handles = [Patch(color=colours[c], label=f"{c} ({int((p['firm_class'] == c).sum())})") for c in classes]
        handles.append(Patch(color="#e0e0e0", label="无自有用地企业" if zh else "no own-land firm"))
        ax.legend(handles=handles, title="亩均效益分类" if zh else "per-mu class", loc="lower right")
        ax.set_title(f"{'亩均效益评价' if zh else 'Per-mu evaluation'} — {pack.pack.name}")
        ax.set_axis_off()
    return ax
