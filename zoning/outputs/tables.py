"""The named tables of a run or a check, in display order, with canonical column names.

One place decides what a person is shown: the report (HTML, Markdown, Word) and the Excel
workbook both take their tables from here and only then put human labels on them
(:mod:`zoning.outputs.labels`). Numbers are left as computed — the same floats as the
GeoPackage layers — and formatting is the writer's business.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["check_tables", "clean_source", "pack_citation", "result_tables", "rules_frame"]


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """A plain DataFrame without geometry (tables, not maps)."""
    out = pd.DataFrame(df.drop(columns=[c for c in df.columns if c == "geometry" or
                                        str(df[c].dtype) == "geometry"], errors="ignore"))
    out.attrs = {}
    return out


def rules_frame(pack: Any, thresholds: dict[str, Any] | None = None, *, lang: str = "en") -> pd.DataFrame:
    """The rule pack as one row per criterion / parameter, with the threshold actually used.

    ``resolved_threshold`` is the number a relative (quantile) threshold resolved to on the
    study area, or the pack's value; ``source`` is the clause, without file paths.
    """
    from zoning.rules.render import rules_table

    t = rules_table(pack, lang=lang).reset_index()
    thr = thresholds or {}

    def resolved(code: str) -> str:
        v = thr.get(code)
        if v is None:
            return ""
        if isinstance(v, float):
            return f"{v:,.2f}"
        if isinstance(v, (list, tuple)):
            return ", ".join(map(str, v))
        return str(v)

    t["resolved_threshold"] = [resolved(c) for c in t["code"]]
    t["test"] = [_test_text(pack, code, test, lang) for code, test in zip(t["code"], t["test"], strict=True)]
    t["source"] = [clean_source(s) for s in t["source"]]
    t = t.rename(columns={"status": "threshold_status"})
    return t[["code", "name", "level", "test", "resolved_threshold", "missing", "threshold_status", "source"]]


def _test_text(pack: Any, code: str, test: str, lang: str) -> str:
    """A criterion's test with the indicator's name instead of its column name."""
    from zoning.rules.render import format_threshold
    from zoning.rules.schema import INDICATORS

    crit = next((c for c in pack.criteria if c.code == code), None)
    if crit is None or crit.indicator not in INDICATORS:
        return test
    ind = INDICATORS[crit.indicator]
    return f"{ind.name_zh if lang == 'zh' else ind.name_en} {format_threshold(crit)}"


def result_tables(result: Any, *, lang: str | None = None, blocks: Any = None) -> dict[str, pd.DataFrame]:
    """Named tables of a :class:`~zoning.ZoningResult` (and of a block check, when given).

    ``summary``, ``by_district`` and ``areas`` are the GeoPackage layers of the same names
    (without geometry); ``reasons`` is :meth:`ZoningResult.reasons`; ``rules`` is
    :func:`rules_frame`; ``validation`` the validation findings. A check's tables follow,
    prefixed ``blocks.`` (see :func:`check_tables`).
    """
    tables: dict[str, pd.DataFrame] = {
        "summary": result.summary.reset_index(),
        "by_district": result.by_district.reset_index(),
        "areas": _first(_plain(result.areas), ["cluster_id", "zone", "district"]),
        "reasons": result.reasons(),
        "rules": rules_frame(result.rules, result.thresholds, lang=lang or result.settings.get("lang", "en")),
        "validation": result.validation.to_frame(),
    }
    if blocks is not None:
        tables.update({f"check.{k}": v for k, v in check_tables(blocks).items()})
    return tables


def check_tables(check: Any) -> dict[str, pd.DataFrame]:
    """Named tables of a policy check, in display order, without geometry.

    Uses the check's ``layers()`` (the shared ``CheckResult`` interface) when it has one, else
    the tables the current result classes hold; a plain DataFrame (``check_projects``,
    ``benchmark_table``, ``short_leases``) is one table.
    """
    if isinstance(check, pd.DataFrame):
        name = _frame_name(check)
        df = check.reset_index() if check.index.name is not None else check
        return {name: _plain(df)}
    layers = getattr(check, "layers", None)
    if callable(layers):
        raw = dict(layers())
    else:  # the result classes before the shared CheckResult: the layers their to_file() writes
        raw = {}
        for name in _LAYERS.get(type(check).__name__, ("blocks", "districts", "changes", "parks", "targets",
                                                         "by_district", "parcels", "criteria")):
            v = getattr(check, name, None)
            if isinstance(v, pd.DataFrame):
                raw[name] = v
        if "parcels" in raw and type(check).__name__ == "EnterpriseScreening":
            raw["parcels"] = raw["parcels"][raw["parcels"]["low_end"]]
        elif "parcels" in raw and type(check).__name__ == "MixedUseCheck":
            codes = [c for c in raw["parcels"].columns if "-" in str(c)]
            raw["parcels"] = raw["parcels"][(raw["parcels"][codes] != "").any(axis=1)]
    out: dict[str, pd.DataFrame] = {}
    for name, df in raw.items():
        if df.index.name is not None:
            df = df.reset_index()
        df = _inputs_last(_plain(df))
        if name == "criteria" and "status" in df:
            df = df.rename(columns={"status": "threshold_status"})
        out[name] = df
    return out


def _first(df: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    cols = [c for c in first if c in df] + [c for c in df.columns if c not in first]
    return df[cols]


def _inputs_last(df: pd.DataFrame) -> pd.DataFrame:
    """The check's own columns first, the user's input columns after them.

    An input column whose name is also the header of one of the check's columns (an input
    ``区块编号`` next to the check's ``block_id``, shown as 区块编号) is marked as the input.
    """
    from zoning.outputs.labels import LABELS

    own = [c for c in df.columns if c in LABELS or "-" in str(c)]
    inputs = [c for c in df.columns if c not in own]
    if not own or not inputs:
        return df
    headers = {LABELS[c].zh for c in own if c in LABELS} | {LABELS[c].en for c in own if c in LABELS}
    out = df[own + inputs]
    return out.rename(columns={c: f"{c}（输入）" for c in inputs if c in headers})


#: layer order of each check's to_file(), for results without layers()
_LAYERS = {
    "BlockCheck": ("blocks", "districts", "parcels", "criteria"),
    "BlockBalance": ("changes", "districts", "blocks"),
    "MixedUseCheck": ("parcels", "parks"),
    "EnterpriseScreening": ("parcels", "targets", "by_district"),
}


def _frame_name(df: pd.DataFrame) -> str:
    cols = set(df.columns)
    if "tier" in cols:
        return "projects"
    if "short_lease" in cols:
        return "short_leases"
    if any(str(c).endswith("_meets") for c in cols):
        return "benchmarks"
    return "table"


_PATH = re.compile(r"\s*\(?\s*shared/[\w./\-]+\)?\s*:?")
_SHIPPED = re.compile(r"\s*\(?(shipped( as)?:?\s*)?[\w\-]+\.txt(\s*\((shipped)[^)]*\))?\)?\s*:?")
_NUMBER = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")


def clean_source(text: str) -> str:
    """A source as a reader can use it: without the names of files a reader cannot open.

    >>> clean_source("深圳市城市更新和土地整备局, 2020-06-05, 政策解读 §三(一) (shared/policy/000_ca9d339953c2b21d.txt)")
    '深圳市城市更新和土地整备局, 2020-06-05, 政策解读 §三(一)'
    >>> clean_source("jiaxing-2024.txt (shipped): 三(二) 创新土地供给模式")
    '三(二) 创新土地供给模式'
    """
    out = _SHIPPED.sub(" ", _PATH.sub(" ", text)).strip(" ;:,")
    return re.sub(r"\s{2,}", " ", out)


def pack_citation(pack: Any, lang: str = "zh") -> list[tuple[str, str]]:
    """The pack's policy as a reader expects it: document, number, publisher and date, clauses.

    Uses the pack's ``document`` (number, publisher, date as the sources give them) when it has
    one, and otherwise reads number, publisher and date from its ``policy`` and ``source``
    texts. A placeholder effective date (the day is not known) says so.

    >>> from zoning.rules import load_rules
    >>> dict(pack_citation(load_rules("jiaxing-2024"), "en"))["Number"]
    '嘉政发〔2024〕20号'
    """
    info = pack.pack
    zh = lang == "zh"
    document = str(getattr(info, "document", "") or "")
    source = clean_source(info.source)
    m = _NUMBER.search(str(info.policy))  # the document's own number, not one it may belong to
    number = m.group(0) if m else ""
    rows = [("文件" if zh else "Document", str(info.policy))]
    if number:
        rows.append(("文号" if zh else "Number", number))
    parts = [p.strip() for p in source.split(",")]
    if document:
        rows.append(("出处（发布机关、日期）" if zh else "Published (publisher, date)", document))
    else:
        if len(parts) > 1 and re.search(r"[\u4e00-\u9fff]", parts[0]) and ":" not in parts[0]:
            rows.append(("发布机关" if zh else "Publisher", parts.pop(0)))
        if len(parts) > 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[0]):
            rows.append(("发布日期" if zh else "Issued", parts.pop(0)))
    effective = str(info.effective)
    if getattr(info, "effective_placeholder", False):
        effective = (f"{info.effective.year} 年（具体日期不详）" if zh else f"{info.effective.year} (day not known)")
    rows.append(("施行日期" if zh else "Effective", effective))
    if document and len(parts) > 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[1]):
        parts = parts[2:]  # publisher and date are in the document line already
    clauses = ", ".join(parts)
    if clauses:
        rows.append(("条款" if zh else "Clauses", clauses))
    if getattr(info, "text", ""):
        rows.append(("原文" if zh else "Full text",
                     (f"随 zoning 提供（zoning rules show {info.name} 显示路径）" if zh else
                      f"shipped with zoning (zoning rules show {info.name} prints its path)")))
    return rows
