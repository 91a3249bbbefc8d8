"""Plain-text rendering for terminals: tables that line up Chinese characters, a run's summary."""

from __future__ import annotations

from typing import Any

from zoning._text import ljust, rjust, text_table, width

__all__ = ["ljust", "result_text", "rjust", "text_table", "width"]


def result_text(result: Any, lang: str | None = None) -> str:
    """What ``zoning classify`` prints: validation summary, zones against targets, districts, examples.

    Columns line up with Chinese (double-width) characters.
    """
    lang = lang or result.settings.get("lang", "en")
    out: list[str] = []
    n_warn = len(result.validation.warnings)
    out.append(result.validation.summary())
    if n_warn:
        for p in result.validation.warnings[:8]:
            out.append(f"  {p}".splitlines()[0])
        if n_warn > 8:
            out.append(f"  … {n_warn - 8} more (run `zoning validate` for the full list)")
    out.append("")
    from zoning.outputs.labels import label as header

    s = result.summary
    label = "label_zh" if lang == "zh" else "label_en"
    out.append(f"Zones ({result.rules.pack.name}, {result.settings['mode']} mode; industrial stock {result.stock_km2:.2f} km²):")
    heads = [header(c, lang) for c in ("parcels", "areas", "area_km2", "area_mu", "share_of_stock", "target_share", "achieved")]
    widths = [max(w, width(h) + 2) for h, w in zip(heads, (8, 7, 9, 10, 8, 9, 10), strict=True)]
    out.append("  " + ljust(header("zone", lang), 22) + "".join(rjust(h, w) for h, w in zip(heads, widths, strict=True)))
    for _z, r in s.iterrows():
        share = f"{r['share_of_stock']:.1%}" if r["share_of_stock"] == r["share_of_stock"] else "—"
        tgt = f"{r['target_share']:.1%}" if r["target_share"] == r["target_share"] else "—"
        ach = f"{r['achieved']:.0%}" if r["achieved"] == r["achieved"] else "—"
        cells = [f"{r['parcels']}", f"{r['areas']}", f"{r['area_km2']:.2f}", f"{r['area_mu']:.0f}", share, tgt, ach]
        out.append("  " + ljust(str(r[label]), 22) + "".join(rjust(c, w) for c, w in zip(cells, widths, strict=True)))
    out.append("  (targets: the pack's shares of the stock, e.g. Shenzhen 100 of 260 km² retained = 38.5 %; the 25 + 25 km²"
               " are 2021–2025 completion targets, 9.6 % each)")
    off = [r[label] for _z, r in s.iterrows() if r["achieved"] == r["achieved"] and not 0.67 <= r["achieved"] <= 1.5]
    if off and result.settings["mode"] == "threshold":
        out.append(f"  note: {', '.join(off)} differ from the target by more than half: the thresholds are derived or"
                   " heuristic (see `zoning rules show`); tune them with --set CODE=VALUE, find thresholds that meet the targets"
                   " with `zoning calibrate`, or fill the targets with --mode quota")
    d = result.by_district
    if len(d) > 1:
        out.append("\nBy district (km²):")
        cols = ["retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned", "stock_km2"]
        names = [header(c, lang) for c in cols]
        col_w = max(20, *(width(n) + 2 for n in names))
        out.append("  " + ljust(header("district", lang), 10) + "".join(rjust(n, col_w) for n in names))
        for dist, r in d.iterrows():
            out.append("  " + ljust(str(dist), 10) + "".join(rjust(f"{r[c]:.2f}", col_w) for c in cols))
    out.append("\nExamples of reasons:")
    p = result.parcels if hasattr(result, "parcels") else result.examples()  # a DistributedRun keeps them on the workers
    for z in ["retain_upgrade", "land_consolidation", "contiguous_renewal", "unzoned"]:
        hit = p[p["zone"] == z]
        if len(hit):
            r = hit.iloc[0]
            out.append(f"  {r['parcel_id']}: {r['reason']}")
    return "\n".join(out)
