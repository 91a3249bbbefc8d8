"""Write the example notebooks in notebooks/ (stored without outputs; nbmake executes them in CI).

    python scripts/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parent.parent / "notebooks"

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {}


def nb(name: str, cells: list[tuple[str, str]]) -> None:
    NOTEBOOKS[name] = cells


nb("01_quickstart", [
    ("md", """# Quick start: Shenzhen 2020 zones on the sample city

The sample city is about 4,000 synthetic parcels laid inside Shenzhen's real district boundaries,
with Chinese column names as a bureau would hand them out. This notebook reads it, validates it,
sorts it into 保留提升区 / 土地整备区 / 连片改造区 and explains the decisions."""),
    ("code", """import zoning

path = zoning.datasets.get_path("parcels")
parcels = zoning.read_parcels(path)
parcels.attrs["zoning"]["columns"][:6]   # how Chinese column names were mapped"""),
    ("code", """report = zoning.validate_parcels(parcels, reference_year=2025)
print(report.summary())
report.to_frame().head()"""),
    ("md", "## Zones, with targets\n\n`run` chains validation, indicators, classification, contiguity and zones."),
    ("code", """result = zoning.run(parcels, "shenzhen-2020", lang="zh", reference_year=2025)
result.summary[["label_zh", "parcels", "areas", "area_km2", "share_of_stock", "target_share", "achieved"]]"""),
    ("code", "result.by_district.round(2)"),
    ("md", "## Why is a parcel in its zone?"),
    ("code", """cols = ["parcel_id", "zone_label", "cluster_id", "reason"]
result.parcels.groupby("zone", observed=True).head(1)[cols]"""),
    ("code", """pid = result.parcels.loc[result.parcels["zone"] == "land_consolidation", "parcel_id"].iloc[0]
print(result.explain(pid))"""),
    ("md", "## The contiguous areas and their notes"),
    ("code", """result.zones[["cluster_id", "zone", "district", "area_ha", "legal_ratio", "far", "note"]].sort_values("area_ha", ascending=False).head(10)"""),
    ("md", "## Quota mode: fill the policy's area targets\n\nAreas are ranked by a documented score and taken until each zone reaches its share of the stock."),
    ("code", """quota = zoning.run(parcels, mode="quota", lang="zh", reference_year=2025)
quota.summary[["label_zh", "area_km2", "share_of_stock", "target_share", "achieved"]]"""),
    ("md", "## Map"),
    ("code", "ax = result.plot(lang=\"zh\")"),
])

nb("02_rule_packs", [
    ("md", """# Rule packs: read, override, write your own

A rule pack is a TOML file: every criterion has a stable code, Chinese and English names, a unit,
its source clause and a status (official / derived / heuristic)."""),
    ("code", """import zoning
from zoning.rules import load_rules, render_rules, rules_table

zoning.available_rules()"""),
    ("code", """pack = load_rules("shenzhen-2020")
rules_table(pack, lang="zh")[["name", "level", "test", "status", "source"]]"""),
    ("md", "## Override thresholds without editing the file"),
    ("code", """parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
base = zoning.run(parcels, reference_year=2025)
stricter = zoning.run(parcels, reference_year=2025, overrides={"SZ-C5": 1.2, "SZ-C3": 0.6})
import pandas as pd
pd.DataFrame({"default": base.summary["area_km2"], "FAR < 1.2, legal < 60 %": stricter.summary["area_km2"]}).round(2)"""),
    ("md", "Quantile thresholds are relative to the study area's industrial stock: `q0.6` means the 60th percentile by area."),
    ("code", """pack = load_rules("shenzhen-2020", overrides={"SZ-R3": "q0.6"})
r = zoning.run(parcels, pack, reference_year=2025)
print(r.thresholds["SZ-R3"], "万元/亩 (60th percentile of output per mu)")"""),
    ("md", "## Write your own pack\n\nStart from the shipped file, change it, load it by path. The loader is strict: a typo is an error naming the file and the key."),
    ("code", """from pathlib import Path
import tempfile
from zoning.rules import pack_source

text = pack_source("shenzhen-2020").replace('value = 1.5\\nunit = "ratio"', 'value = 1.2\\nunit = "ratio"')
custom = Path(tempfile.mkdtemp()) / "my-district.toml"
custom.write_text(text.replace('name = "shenzhen-2020"', 'name = "my-district"'), encoding="utf-8")
load_rules(custom).criterion("SZ-C5").value"""),
    ("code", """bad = custom.read_text(encoding="utf-8").replace('code = "SZ-C5"', 'code = "SZ-C5"\\nthreshhold = 1')
custom.write_text(bad, encoding="utf-8")
try:
    load_rules(custom)
except zoning.RulePackError as err:
    print(err)"""),
    ("md", "## Documentation generated from the pack"),
    ("code", "print(render_rules(load_rules('shenzhen-2020'), fmt='markdown', lang='zh')[:1500])"),
])

nb("03_guangzhou_blocks", [
    ("md", """# Guangzhou industrial blocks (工业产业区块)

Guangzhou requires at least 80 % of a district's planned industrial land inside industrial blocks
and, inside each block, industrial land of at least 55 % of the block (2023 draft) — raised to
65 % by the 2024 opinion. This notebook checks the sample city's blocks against both packs."""),
    ("code", """import zoning

parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
blocks = zoning.read_blocks(zoning.datasets.get_path("blocks"))
check23 = zoning.check_blocks(parcels, blocks, rules="guangzhou-2023")
print(check23.summary())"""),
    ("code", """cols = ["block_id", "industrial_share", "threshold", "passes", "shortfall_m2", "shortfall_mu", "drivers", "fix"]
check23.blocks[cols].sort_values("industrial_share")"""),
    ("code", "check23.districts"),
    ("md", "## The 2024 rule (≥ 65 %)"),
    ("code", """check24 = zoning.check_blocks(parcels, blocks, rules="guangzhou-2024")
failed = check24.blocks.loc[~check24.blocks["passes"], ["block_id", "industrial_share", "shortfall_mu", "fix"]]
failed"""),
    ("code", "ax = zoning.plot_blocks(check24, lang=\"zh\")"),
    ("md", "## 占补平衡: blocks removed and added by a revision"),
    ("code", """revised = zoning.read_blocks(zoning.datasets.get_path("blocks_revised"))
balance = zoning.check_balance(blocks, revised, parcels=parcels)   # parcels: balance the industrial land too (GZ-K2)
print(balance.summary())"""),
    ("md", """The block-area balance (GZ-K1) and the industrial land inside the blocks (GZ-K2) can disagree:
a new block drawn over residential or commercial land adds area but no industrial land. 先补后占
(GZ-K3) needs dates on the block layers (调整日期 / 生效日期); the sample's revision has none, so it
is `missing`."""),
    ("code", """balance.districts[["removed_m2", "added_m2", "net_m2", "industrial_net_m2", "GZ-K1", "GZ-K2", "GZ-K3", "passes"]]"""),
    ("md", """## Shenzhen's industrial block lines (一级线 / 二级线)

The same blocks checked against `shenzhen-blocks-2018`: the tier comes from the blocks' `区块级别`
column, each tier with its own share (heuristic numbers: the measures' own were not found), and
the city floor on industrial land's share of construction land."""),
    ("code", """sz = zoning.check_blocks(parcels, blocks, rules="shenzhen-blocks-2018")
sz.blocks[["block_id", "tier", "industrial_share", "threshold", "status"]].head(8)"""),
    ("md", """## Every check has the same shape

Each `zoning.check_*` function returns a `CheckResult`: the pack used (`.rules`), what the inputs
needed (`.problems`), its tables in display order (`.layers()` — what Excel / Word export and
`.to_file()` write), `.passed`, `.summary()`, and this display in Jupyter. Verdict columns are
`passes` and `status` (pass / fail / missing) in every check."""),
    ("code", """{name: len(table) for name, table in balance.layers().items()}"""),
    ("code", "check24"),
])

nb("05_per_mu_and_low_efficiency", [
    ("md", """# Per-mu (亩均效益) evaluation and low-efficiency land

Zhejiang's 亩均论英雄 practice scores firms per 亩 of land — tax, value added, value added per
unit of energy and emissions, labour productivity, R&D share — divides each by a benchmark,
weights it and classes firms A/B/C/D by rank. The classes decide support, required upgrades and
where land should be recovered. Every weight, benchmark and class cut below comes from a pack,
with its citation and status (`zoning rules show zhejiang-huangyan-2022`)."""),
    ("code", """import zoning
from zoning import read_table

parcels = zoning.read_parcels(zoning.datasets.get_path("parcels"))
firms = read_table(zoning.datasets.get_path("firms"))   # 企业编号, 宗地编号, 用地方式, 企业规模, 税收 …
firms.head()"""),
    ("md", "## Huangyan's published formula (规上 / 规下), rented firms on their own track"),
    ("code", """ev = zoning.evaluate_firms(firms, parcels, rules="zhejiang-huangyan-2022")
print(ev.summary())"""),
    ("code", """cols = ["firm_id", "parcel_id", "track", "land_mu", "tax_wan_per_mu", "score", "rank", "class"]
ev.firms.sort_values("score")[cols].head(10)   # the D class: 倒逼整治"""),
    ("code", "ax = ev.plot(lang=\"zh\")"),
    ("md", "## Huai'an's weights (45/35/20) and class cuts (20/60/95 %)"),
    ("code", """ha = zoning.evaluate_firms(firms, parcels, rules="jiangsu-huaian-2024")
ha.by_area.round(2)"""),
    ("code", """import pandas as pd
both = pd.crosstab(ev.firms["class"], ha.firms["class"], rownames=["Huangyan"], colnames=["Huai'an"])
both"""),
    ("md", """## Low-efficiency industrial land (低效用地)

Each criterion is tested where its columns exist; the ones the data cannot test are listed,
never counted as passed. Every number of this pack is heuristic (public sources are of low
confidence): set your city's rules with `overrides`."""),
    ("code", """le = zoning.check_low_efficiency(parcels, firms=firms, reference_year=2025)
print(le.summary())"""),
    ("code", """flagged = le.parcels[le.parcels["status"] == "fail"]
flagged[["parcel_id", "land_mu", "grounds"]].head()"""),
    ("md", "## Where the D-class firms and the low-efficiency land coincide"),
    ("code", """d = ev.parcels["firm_class"] == "D"
low = le.parcels["status"] == "fail"
pd.crosstab(d, low, rownames=["D-class firm"], colnames=["low-efficiency land"])"""),
])

nb("04_maps_and_reports", [
    ("md", """# Maps, rasters and reports

Everything here works offline: the maps use an installed Chinese font (or the `zoning[fonts]`
extra), the report embeds its images, and the interactive map inlines Leaflet."""),
    ("code", """import zoning

result = zoning.run(zoning.datasets.get_path("parcels"), lang="zh", reference_year=2025)
ax = zoning.plot_zones(result, lang="zh")"""),
    ("code", "ax = zoning.plot_zones(result, lang=\"en\", title=\"Industrial land zones\")"),
    ("md", "## A zone GeoTIFF and raster statistics"),
    ("code", """import tempfile, pathlib
out = pathlib.Path(tempfile.mkdtemp())
tif = zoning.rasterize_zones(result, resolution=10, path=out / "zones.tif")
import rasterio
with rasterio.open(tif) as src:
    print(src.crs, src.dtypes, src.nodata, src.colormap(1)[1])"""),
    ("code", """height = zoning.datasets.get_path("height")
stats = zoning.zonal_stats(result.parcels, height, stats=("mean", "max"))
stats.dropna().head()"""),
    ("code", """floor = zoning.estimate_floor_area(result.parcels, height)
print(f"floor area from the height raster: {floor.sum() / 1e6:.2f} km²")"""),
    ("md", "## A self-contained report"),
    ("code", """report = result.to_report(out / "report.html", lang="zh")
print(report, report.stat().st_size // 1024, "KB")"""),
    ("md", "## Interactive map (offline)"),
    ("code", """from zoning.outputs.interactive import explore
m = explore(result, lang="zh")
m"""),
])

nb("06_calibration_sensitivity", [
    ("md", """# Zones you can defend: calibration, sensitivity, comparison

Shenzhen's 2020 plan gives the zone criteria in words and the area targets in numbers (100 of
260 km² retained; 25 + 25 km² to consolidate and renew in 2021–2025), but no cut-offs. This
notebook takes the sample city from threshold mode through calibration to the targets, a
sensitivity analysis of every threshold, and a comparison with quota mode. Building ages are
counted to the pack's base year, 2020."""),
    ("code", """import zoning
from zoning.scenarios import CachedStages

path = zoning.datasets.get_path("parcels")
base = zoning.run(path)          # threshold mode, the pack's thresholds
base.summary[["label_en", "area_km2", "share_of_stock", "target_share", "achieved"]]"""),
    ("md", """## The area as a whole

A consolidation/renewal area must lag as a whole (area-weighted output, legal share, grade and
FAR: SZ-A1 – SZ-A4). Parcels that contradict their area are flagged; high-output ones are
relocation (安置) candidates for the retained areas."""),
    ("code", """p = base.parcels
print(p.loc[p["relocation"], ["parcel_id", "zone", "output_wan_per_mu", "contradicts"]].head())
print(base.explain(p.loc[p["relocation"], "parcel_id"].iloc[0]))"""),
    ("md", """## Cached stages

Validation, indicators and the neighbour graph do not change between scenarios: compute them
once and re-run only the criteria, the grouping and the zone tests."""),
    ("code", """stages = CachedStages(path)
stages"""),
    ("md", "## Calibration to the targets"),
    ("code", """cal = zoning.calibrate(stages)
cal.steps[["criterion", "zones", "start", "value", "target_share", "achieved_share", "gap_pp", "met"]]"""),
    ("code", """for note in cal.steps["note"]:
    if note:
        print(note)
cal.shares"""),
    ("code", """from pathlib import Path
import tempfile

out = Path(tempfile.mkdtemp())
pack = cal.to_toml(out / "calibrated.toml")
calibrated = zoning.run(path, pack)     # reproduces the calibrated shares
calibrated.summary[["label_en", "share_of_stock", "target_share"]]"""),
    ("md", "## Sensitivity: every threshold at ±10 %"),
    ("code", """sens = zoning.sensitivity(stages, pct=10)
sens.most_sensitive(3)[["code", "values", "total_km2", "max_changed_parcels"]]"""),
    ("code", "ax = sens.plot_tornado()"),
    ("code", "ax = sens.plot_stability()"),
    ("md", "## Calibrated thresholds against quota mode"),
    ("code", """quota = zoning.run(path, mode="quota")
diff = zoning.compare(calibrated, quota, labels=("calibrated", "quota"))
print(diff.summary())
diff.matrix_km2.round(2)"""),
    ("code", "ax = diff.plot()"),
    ("md", "## A report with a robustness section"),
    ("code", """report = calibrated.to_report(out / "report.html", robustness=sens)
print(report.name, report.stat().st_size // 1024, "KB")"""),
    ("md", """## Tune by hand (offline explorer)

`zoning.threshold_explorer(stages)` shows sliders for the thresholds, a zone map re-coloured from
a raster built once and the summary against the targets. Setting a slider from code gives the
same summary as `zoning.run(..., overrides=...)`."""),
    ("code", """ex = zoning.threshold_explorer(stages, codes=["SZ-A1", "SZ-A2", "SZ-C5"])
ex.set("SZ-C5", 1.2)
ex.summary[["label_en", "area_km2", "share_of_stock"]]"""),
    ("code", "ex"),
])


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        book = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells])
        book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        book.metadata["language_info"] = {"name": "python"}
        nbformat.write(book, OUT / f"{name}.ipynb")
        print("wrote", OUT / f"{name}.ipynb")


if __name__ == "__main__":
    main()
