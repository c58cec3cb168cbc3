"""Reading an uploaded boundary file safely: a zipped Shapefile, a GeoPackage, GeoJSON or KML/KMZ.

The bytes are unpacked into a private temporary directory (never the checkout) within fixed limits, the layers
are listed and one is read with pyogrio. A Shapefile's text is decoded as its `.cpg` says or, without one, as
detected from the `.dbf` bytes (UTF-8, else GBK/GB18030 as Chinese GIS software writes it). Anything unsafe or
unreadable raises a DataError naming the file; doubts that do not stop the reading come back as `Check`s.
"""

from __future__ import annotations

import codecs
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from corpsmap.boundaries.checks import INFO, WARNING, Check
from corpsmap.data import DataError, Message, Problem

MB = 1024 * 1024
MAX_UPLOAD_BYTES = 20 * MB  # a district's zones, even surveyed to the metre, are far below
MAX_UNPACKED_BYTES = 200 * MB  # what a zip may unpack to, checked from its directory before anything is written
MAX_ZIP_MEMBERS = 500
MAX_RATIO = 100  # unpacked : packed for members over RATIO_FLOOR; shapefiles compress about 2-10 : 1
RATIO_FLOOR = 1 * MB
MAX_FEATURES = 5_000  # per layer
MAX_VERTICES = 2_000_000  # per layer: bounds the cost of repairing, reprojecting and comparing the shapes

SHAPEFILE, GEOPACKAGE, GEOJSON, KML = "zipped Shapefile", "GeoPackage", "GeoJSON", "KML"
UTF8, GB18030 = "utf-8", "gb18030"

# The parts of the formats read; anything else in a zip (PDFs, metadata, images) is left packed.
_WANTED = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".gpkg", ".geojson", ".json", ".kml"}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SAFE_NAME = re.compile(r"[^\w\-]+")  # what may stay of an upload's name in a file name of ours
# Text that decodes as GB18030 but holds control or private-use characters was not written as GBK.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff]")
# What .cpg files say, as Python codecs. GBK and its older and newer relatives are read as GB18030, which holds
# them all (Windows code page 936 has a few characters beyond GB2312).
_CPG_CODECS = {"utf-8": UTF8, "utf8": UTF8, "65001": UTF8, "gbk": GB18030, "936": GB18030, "cp936": GB18030,
               "ansi936": GB18030, "gb2312": GB18030, "gb18030": GB18030, "54936": GB18030, "big5": "big5",
               "950": "big5", "1252": "cp1252", "88591": "latin-1", "iso88591": "latin-1"}


@dataclass(frozen=True)
class LayerInfo:
    """One layer of the upload: `name` is how it is shown and chosen (`--layer`)."""

    name: str
    path: Path
    layer: str | None  # the layer inside a multi-layer dataset (GeoPackage, KML), for pyogrio
    geometry_type: str | None
    format: str

    @property
    def may_hold_polygons(self) -> bool:
        kind = (self.geometry_type or "").lower()
        return "polygon" in kind or kind in ("unknown", "geometry", "geometrycollection", "")


@dataclass
class SourceLayer:
    """The layer read from an upload: its attributes and shapes with the coordinates as in the file."""

    file: str
    format: str
    layers: tuple[str, ...]  # every layer with geometry
    layer: str  # the one read
    frame: gpd.GeoDataFrame  # index 0..n-1; feature number = index + 1; crs as the file says (None if none)
    encoding: str  # how the attribute text was decoded (a Python codec name)
    encoding_source: str  # "file format", ".cpg file", "detected", "given"
    notes: list[Check] = field(default_factory=list)

    def preview(self, rows: int = 10) -> pd.DataFrame:
        """The attribute table's first rows (no geometry, no all-empty columns), indexed by feature number."""
        table = pd.DataFrame(self.frame.drop(columns=self.frame.geometry.name))
        table = table.loc[:, table.notna().any() & ~(table.astype(str).eq("").all())]
        table = table.head(rows)
        table.index = pd.RangeIndex(1, len(table) + 1, name="feature")
        return table


def read_boundary_file(content: bytes, filename: str, *, layer: str | None = None, encoding: str | None = None,
                       score: Callable[[pd.DataFrame], int] | None = None) -> SourceLayer:
    """Read one layer of an uploaded boundary file; DataError naming the file if it is unsafe or unreadable.

    `layer` picks a layer by name; without it the only layer is read, or, of several that may hold polygons,
    the one whose attribute table `score` rates highest (the number of zones it names), else the first.
    `encoding` overrides the `.cpg` and the detection for a Shapefile (and the UTF-8 of a GeoJSON).
    """
    file = _base_name(filename)
    if not content:
        raise _error(file, Message("the file is empty", "文件是空的"))
    if len(content) > MAX_UPLOAD_BYTES:
        raise _error(file, Message(f"the file is larger than the {MAX_UPLOAD_BYTES // MB} MB limit "
                                   f"({len(content):,} bytes)",
                                   f"文件超过 {MAX_UPLOAD_BYTES // MB} MB 的上限（{len(content):,} 字节）"))
    codec = _codec(encoding, file) if encoding else None
    with tempfile.TemporaryDirectory(prefix="corpsmap-boundaries-") as tmp:
        root = Path(tmp)
        layers, notes = _layers(content, file, root, codec)
        chosen, choice_notes = _choose_layer(layers, layer, file, codec, score)
        frame, used, source, read_notes = _read_layer(chosen, file, codec)
    return SourceLayer(file, chosen.format, tuple(li.name for li in layers), chosen.name, frame, used, source,
                       notes + choice_notes + read_notes)


def _layers(content: bytes, file: str, root: Path, codec: str | None) -> tuple[list[LayerInfo], list[Check]]:
    """Write the upload's datasets under `root` and list their layers that have geometry."""
    suffix = PurePosixPath(file.lower()).suffix
    # Named after the upload, as drivers name a layer after its file when the file names none (a bare KML).
    own = root / (_SAFE_NAME.sub("_", PurePosixPath(file).stem) or "upload")
    notes: list[Check] = []
    if suffix in (".zip", ".kmz"):
        if not content.startswith(b"PK"):
            raise _error(file, Message(f"not a zip archive, although named {suffix}",
                                       f"文件名是 {suffix}，但不是 zip 压缩包"))
        datasets = _unzip(content, file, root)
    elif suffix == ".gpkg":
        if not content.startswith(_SQLITE_MAGIC):
            raise _error(file, Message("not a GeoPackage (no SQLite header), although named .gpkg",
                                       "文件名是 .gpkg，但不是 GeoPackage（没有 SQLite 文件头）"))
        datasets = [_write(own.with_suffix(".gpkg"), content)]
    elif suffix in (".geojson", ".json"):
        text, note = _geojson_text(content, file, codec)
        notes += note
        datasets = [_write(own.with_suffix(".geojson"), text.encode(UTF8))]
    elif suffix == ".kml":
        if b"<kml" not in content[:4096]:
            raise _error(file, Message("not a KML document (no <kml> element at its start)",
                                       "不是 KML 文档（开头没有 <kml> 元素）"))
        datasets = [_write(own.with_suffix(".kml"), content)]
    elif suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        raise _error(file, Message("a Shapefile is several files: zip the .shp together with its .shx, .dbf, .prj "
                                   "(and .cpg) and upload the .zip",
                                   "Shapefile 由多个文件组成：请把 .shp 与 .shx、.dbf、.prj（及 .cpg）一起压缩，"
                                   "上传 .zip 文件"))
    elif suffix in (".dwg", ".dxf"):
        raise _error(file, Message("CAD drawings (DWG/DXF) carry neither a coordinate system nor zone names "
                                   "reliably: ask the bureau for a Shapefile or GeoPackage in CGCS2000",
                                   "CAD 图纸（DWG/DXF）无法可靠地带上坐标系和兵团名称：请向主管部门索取 CGCS2000 "
                                   "坐标系的 Shapefile 或 GeoPackage"))
    else:
        raise _error(file, Message("only a zipped Shapefile (.zip), a GeoPackage (.gpkg), GeoJSON (.geojson, "
                                   ".json) or KML (.kml, .kmz) can be imported",
                                   "只能导入压缩的 Shapefile（.zip）、GeoPackage（.gpkg）、GeoJSON（.geojson、.json）"
                                   "或 KML（.kml、.kmz）"))
    layers: list[LayerInfo] = []
    several = len(datasets) > 1
    for path in datasets:
        layers += _dataset_layers(path, root, file, several)
    if not layers:
        raise _error(file, Message("the file holds no layer with geometry", "文件中没有含几何图形的图层"))
    return layers, notes


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _dataset_layers(path: Path, root: Path, file: str, several: bool) -> list[LayerInfo]:
    zipped = path.is_relative_to(root / "zip")
    relative = PurePosixPath(path.relative_to(root / "zip").as_posix()) if zipped else PurePosixPath(file)
    stem = relative.with_suffix("").as_posix()
    if path.suffix == ".shp":
        for part in (".shx", ".dbf"):
            if not path.with_suffix(part).exists():
                raise _error(file, Message(f"{relative.as_posix()} comes without its {part} file: zip every part "
                                           "of the Shapefile (.shp, .shx, .dbf, .prj, .cpg)",
                                           f"{relative.as_posix()} 缺少配套的 {part} 文件：请把 Shapefile 的所有文件"
                                           "（.shp、.shx、.dbf、.prj、.cpg）一起压缩"))
        fmt = SHAPEFILE
    else:
        fmt = {".gpkg": GEOPACKAGE, ".kml": KML}.get(path.suffix, GEOJSON)
    if fmt == KML and b"<networklink" in path.read_bytes().lower():
        # What a network link points to is not in the upload, and nothing here fetches from outside hosts.
        raise _error(file, Message("the KML links to other files or servers (NetworkLink): export the zone "
                                   "polygons themselves",
                                   "KML 链接到其他文件或服务器（NetworkLink）：请直接导出兵团的多边形"))
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:  # GDAL says why a file cannot be opened in many ways; all mean "unreadable"
        raise _error(file, Message(f"{relative.as_posix() if several else 'the file'} cannot be read "
                                   f"({_short(exc)})",
                                   f"{relative.as_posix() if several else '文件'}无法读取（错误信息：“{_short(exc)}”）")
                     ) from exc
    found = []
    for name, geometry_type in listed:
        if geometry_type is None:  # a plain table (GeoPackage attributes, styles)
            continue
        if fmt in (SHAPEFILE, GEOJSON):
            shown = stem
        else:
            shown = f"{stem}/{name}" if several else str(name)
        found.append(LayerInfo(shown, path, None if fmt in (SHAPEFILE, GEOJSON) else str(name), geometry_type, fmt))
    return found


def _choose_layer(layers: list[LayerInfo], wanted: str | None, file: str, codec: str | None,
                  score: Callable[[pd.DataFrame], int] | None) -> tuple[LayerInfo, list[Check]]:
    names = [li.name for li in layers]
    if wanted is not None:
        for li in layers:
            if li.name == wanted:
                return li, []
        raise _error(file, Message(f"no layer '{wanted}'; its layers are: {', '.join(names)}",
                                   f"没有图层“{wanted}”；现有图层：{', '.join(names)}"))
    if len(layers) == 1:
        return layers[0], []
    candidates = [li for li in layers if li.may_hold_polygons] or layers
    if len(candidates) == 1 or score is None:
        return candidates[0], [Check(INFO, "layer_chosen", f"{len(layers)} layers ({', '.join(names)}); read "
                                                           f"'{candidates[0].name}' (choose another with --layer)")]
    scores = []
    for li in candidates:
        encoding = _shapefile_encoding(li.path, codec, file)[0] if li.format == SHAPEFILE else None
        _check_feature_count(li, file, encoding)
        try:
            table = pyogrio.read_dataframe(li.path, layer=li.layer, read_geometry=False, encoding=encoding)
        except Exception:  # an unreadable layer is simply not the likeliest; reading it for real says why
            table = pd.DataFrame()
        scores.append(score(pd.DataFrame(table)))
    best = max(range(len(candidates)), key=lambda i: (scores[i], -i))
    chosen = candidates[best]
    rated = ", ".join(f"'{li.name}' ({s})" for li, s in zip(candidates, scores))
    unique = scores[best] > 0 and scores.count(scores[best]) == 1
    text = (f"{len(layers)} layers ({', '.join(names)}); read '{chosen.name}', whose attributes name the most "
            f"zones (zones named: {rated}); choose another with --layer")
    return chosen, [Check(INFO if unique else WARNING, "layer_chosen", text)]


def _check_feature_count(li: LayerInfo, file: str, encoding: str | None = None) -> int:
    try:
        count = int(pyogrio.read_info(li.path, layer=li.layer, encoding=encoding)["features"])
    except Exception as exc:
        raise _error(file, _unreadable_layer(li, exc)) from exc
    if count > MAX_FEATURES:
        raise _error(file, Message(f"layer '{li.name}' has {count:,} features (limit {MAX_FEATURES:,}): the zones "
                                   "of one district are a handful of polygons",
                                   f"图层“{li.name}”有 {count:,} 个要素（上限 {MAX_FEATURES:,}）：一个区的兵团只有"
                                   "几个多边形"))
    return count


def _read_layer(li: LayerInfo, file: str, codec: str | None) -> tuple[gpd.GeoDataFrame, str, str, list[Check]]:
    notes: list[Check] = []
    if li.format == SHAPEFILE:
        encoding, source, notes = _shapefile_encoding(li.path, codec, file)
    else:  # UTF-8 by definition (a GeoJSON in another encoding was turned into UTF-8 when it was written out)
        encoding, source = (codec, "given") if codec and li.format == GEOJSON else (UTF8, "file format")
    _check_feature_count(li, file, encoding if li.format == SHAPEFILE else None)
    try:
        # on_invalid="ignore": a shape GEOS cannot even build (a ring of two points) becomes None and is reported
        # by the checks with its feature number, instead of failing the whole file.
        frame = pyogrio.read_dataframe(li.path, layer=li.layer, on_invalid="ignore",
                                       encoding=encoding if li.format == SHAPEFILE else None)
    except Exception as exc:
        raise _error(file, _unreadable_layer(li, exc)) from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise _error(file, Message(f"layer '{li.name}' has no geometry", f"图层“{li.name}”没有几何图形"))
    vertices = int(shapely.get_num_coordinates(frame.geometry.values).sum())
    if vertices > MAX_VERTICES:
        raise _error(file, Message(f"layer '{li.name}' has {vertices:,} vertices (limit {MAX_VERTICES:,}): "
                                   "simplify it to about 1 m first",
                                   f"图层“{li.name}”有 {vertices:,} 个顶点（上限 {MAX_VERTICES:,}）：请先简化到"
                                   "约 1 m 精度"))
    if frame.geometry.has_z.any():
        frame = frame.set_geometry(shapely.force_2d(frame.geometry.values), crs=frame.crs)
        notes.append(Check(INFO, "dropped_z", "heights (Z values) were dropped: the map is flat"))
    return frame.reset_index(drop=True), encoding, source, notes


def _shapefile_encoding(shp: Path, codec: str | None, file: str) -> tuple[str, str, list[Check]]:
    """(codec, where it came from, notes) for the text of a Shapefile's .dbf."""
    raw = _dbf_text(shp.with_suffix(".dbf"))
    name = shp.with_suffix("").name
    detected = _detect(raw)
    if codec:
        notes = [] if _decodes_all(raw, codec) else [Check(
            WARNING, "encoding_doubt", f"{name}.dbf: some text does not decode as the given {codec}"
                                       + (f"; it reads as {detected}" if detected else ""))]
        return codec, "given", notes
    cpg = shp.with_suffix(".cpg")
    if cpg.exists():
        said = cpg.read_bytes()[:100].decode("ascii", "replace").strip()
        key = re.sub(r"[\s_-]", "", said.lower())
        from_cpg = _CPG_CODECS.get(key) or _CPG_CODECS.get(said.lower()) or _lookup(said)
        if from_cpg:
            if _decodes_all(raw, from_cpg):
                return from_cpg, ".cpg file", []
            if detected:  # the .cpg is wrong (copied from another file, or written by a tool that guessed)
                return detected, "detected", [Check(WARNING, "encoding_doubt", (
                    f"{name}.cpg says {said}, but the .dbf's text is not {said}; it was read as {detected}, which "
                    f"fits: check the names below (or give the encoding with --encoding)"))]
            return from_cpg, ".cpg file", [Check(WARNING, "encoding_doubt", (
                f"{name}.cpg says {said}, but some of the .dbf's text is not {said}: names may be garbled"))]
        note = Check(WARNING, "encoding_doubt", f"{name}.cpg names an unknown encoding '{said}'; detected instead")
    else:
        note = None
    notes = [note] if note else []
    if detected:
        if detected == GB18030:
            notes.append(Check(INFO, "encoding_detected", f"{name}.dbf has no .cpg; its text is GBK/GB18030, not "
                                                          "UTF-8, and was read as such"))
        return detected, "detected", notes
    notes.append(Check(WARNING, "encoding_doubt", f"{name}.dbf: text is neither UTF-8 nor GBK; read as Latin-1, "
                                                  "names may be garbled (give the encoding with --encoding)"))
    return "latin-1", "detected", notes


def _dbf_text(path: Path) -> list[bytes]:
    """The raw bytes of every field name and text value of a .dbf (dBASE III), to tell its encoding."""
    data = path.read_bytes()
    if len(data) < 32:
        return []
    records = int.from_bytes(data[4:8], "little")
    header = int.from_bytes(data[8:10], "little")
    size = int.from_bytes(data[10:12], "little")
    fields, position, offset = [], 32, 1  # each record starts with its deletion flag
    while position + 32 <= min(header, len(data)) and data[position] != 0x0D:
        descriptor = data[position:position + 32]
        fields.append((descriptor[:11].split(b"\x00", 1)[0], chr(descriptor[11]), offset, descriptor[16]))
        offset += descriptor[16]
        position += 32
    texts = [name for name, _, _, _ in fields]
    if size <= 0:
        return texts
    records = min(records, max(0, (len(data) - header) // size))
    text_fields = [(start, length) for _, kind, start, length in fields if kind == "C"]
    for r in range(records):
        record = data[header + r * size: header + (r + 1) * size]
        texts += [record[start:start + length].rstrip(b" \x00") for start, length in text_fields]
    return [t for t in texts if t]


def _decodes(value: bytes, codec: str) -> bool:
    try:
        text = value.decode(codec)
    except UnicodeDecodeError as exc:
        # A .dbf cuts text at the field's width in bytes, which may split the last character: that is fine.
        return exc.end >= len(value) and exc.start >= len(value) - 3
    return codec != GB18030 or not _NOT_TEXT.search(text)


def _decodes_all(values: list[bytes], codec: str) -> bool:
    return all(_decodes(v, codec) for v in values)


def _detect(values: list[bytes]) -> str | None:
    """UTF-8 if every value decodes as UTF-8 (plain ASCII does too), else GB18030 if they all read as GBK text."""
    if _decodes_all(values, UTF8):
        return UTF8
    if _decodes_all(values, GB18030):
        return GB18030
    return None


def _lookup(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _codec(name: str, file: str) -> str:
    key = re.sub(r"[\s_-]", "", name.lower())
    codec = _CPG_CODECS.get(key) or _lookup(name)
    if codec is None:
        raise _error(file, Message(f"unknown text encoding '{name}' (e.g. utf-8, gbk, gb18030)",
                                   f"未知的文本编码“{name}”（可用如 utf-8、gbk、gb18030）"))
    return codec


def _geojson_text(content: bytes, file: str, codec: str | None) -> tuple[str, list[Check]]:
    """GeoJSON is UTF-8 by definition (RFC 7946); GBK written by older Chinese tools is read with a note."""
    body = content[3:] if content.startswith(codecs.BOM_UTF8) else content
    if not body.lstrip()[:1] == b"{":
        raise _error(file, Message("not a GeoJSON document (it does not start with '{')",
                                   "不是 GeoJSON 文档（开头不是“{”）"))
    if codec:
        try:
            return body.decode(codec), []
        except UnicodeDecodeError as exc:
            raise _error(file, Message(f"not {codec} text ({_short(exc)})",
                                       f"不是 {codec} 文本（错误信息：“{_short(exc)}”）")) from exc
    try:
        return body.decode(UTF8), []
    except UnicodeDecodeError:
        pass
    if _decodes(body, GB18030):
        return body.decode(GB18030), [Check(WARNING, "encoding_detected",
                                            "the GeoJSON is not UTF-8, as GeoJSON must be; it was read as GBK/GB18030")]
    raise _error(file, Message("the GeoJSON is neither UTF-8 nor GBK text", "GeoJSON 既不是 UTF-8 也不是 GBK 文本"))


def _member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name as its author wrote it: Chinese Windows zips names in GBK without saying so."""
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: zipfile decoded the raw bytes as CP437
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for codec in (UTF8, GB18030):
            if _decodes(raw, codec):
                try:
                    return raw.decode(codec)
                except UnicodeDecodeError:
                    continue
    return name


def _unzip(content: bytes, file: str, root: Path) -> list[Path]:
    """Unpack the wanted members of a zip under root/zip, refusing bombs, traversal and links; return datasets."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError) as exc:
        raise _error(file, Message(f"the zip archive is damaged ({_short(exc)})",
                                   f"zip 压缩包已损坏（错误信息：“{_short(exc)}”）")) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise _error(file, Message(f"the zip holds {len(members):,} files (limit {MAX_ZIP_MEMBERS})",
                                   f"zip 压缩包中有 {len(members):,} 个文件（上限 {MAX_ZIP_MEMBERS}）"))
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise _error(file, Message(f"the zip unpacks to {total / MB:,.0f} MB (limit {MAX_UNPACKED_BYTES // MB} MB): "
                                   "too large, or a zip bomb",
                                   f"zip 压缩包解压后有 {total / MB:,.0f} MB（上限 {MAX_UNPACKED_BYTES // MB} MB）："
                                   "文件太大，或是恶意的“zip 炸弹”"))
    base = root / "zip"
    wanted: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    for m in members:
        name = _member_name(m).replace("\\", "/")
        path = PurePosixPath(name)
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in path.parts or "\x00" in name:
            raise _error(file, Message(f"the zip member '{name}' points outside the archive (path traversal): "
                                       "refused", f"zip 中的文件“{name}”指向压缩包以外（路径穿越）：拒绝读取"))
        if (m.external_attr >> 16) & 0o170000 == 0o120000:
            raise _error(file, Message(f"the zip member '{name}' is a symbolic link: refused",
                                       f"zip 中的文件“{name}”是符号链接：拒绝读取"))
        if m.is_dir() or "__MACOSX" in path.parts or path.name.startswith("._"):
            continue
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise _error(file, Message(f"the zip member '{name}' unpacks to {m.file_size / MB:,.0f} MB from "
                                       f"{m.compress_size:,} bytes (more than {MAX_RATIO}:1): probably a zip bomb",
                                       f"zip 中的文件“{name}”由 {m.compress_size:,} 字节解压为 "
                                       f"{m.file_size / MB:,.0f} MB（压缩比超过 {MAX_RATIO}:1）：很可能是“zip 炸弹”"))
        if m.flag_bits & 0x1:
            raise _error(file, Message("the zip is encrypted: zip it again without a password",
                                       "zip 压缩包已加密：请不设密码重新压缩"))
        if path.suffix.lower() in _WANTED:
            wanted.append((m, path.with_suffix(path.suffix.lower())))
    datasets = []
    for m, path in wanted:
        target = (base / path).resolve()
        if not target.is_relative_to(base.resolve()):  # belt and braces after the checks above
            raise _error(file, Message(f"the zip member '{path}' points outside the archive: refused",
                                       f"zip 中的文件“{path}”指向压缩包以外：拒绝读取"))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(m) as source, open(target, "wb") as sink:
                while chunk := source.read(1 * MB):
                    sink.write(chunk)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as exc:
            raise _error(file, Message(f"the zip member '{path}' cannot be unpacked ({_short(exc)})",
                                       f"zip 中的文件“{path}”无法解压（错误信息：“{_short(exc)}”）")) from exc
        if path.suffix in (".shp", ".gpkg", ".kml") or (path.suffix in (".geojson", ".json")
                                                        and _looks_like_geojson(base / path)):
            datasets.append(base / path)
    if not datasets:
        held = ", ".join(sorted(_member_name(m) for m in members if not m.is_dir())[:10])
        raise _error(file, Message("the zip holds no .shp, .gpkg, .geojson or .kml file "
                                   f"(it holds: {held or 'nothing'})",
                                   f"zip 压缩包中没有 .shp、.gpkg、.geojson 或 .kml 文件（其中有：{held or '无'}）"))
    return sorted(datasets)


def _looks_like_geojson(path: Path) -> bool:
    """A .json in a zip may be any metadata; only a FeatureCollection or Feature is taken for data."""
    with open(path, "rb") as stream:
        head = stream.read(4096)
    return re.search(rb'"type"\s*:\s*"(FeatureCollection|Feature)"', head) is not None


def _unreadable_layer(li: LayerInfo, exc: Exception) -> Message:
    return Message(f"layer '{li.name}' cannot be read ({_short(exc)})",
                   f"图层“{li.name}”无法读取（错误信息：“{_short(exc)}”）")


def _error(file: str, message: Message) -> DataError:
    return DataError([Problem(file, None, None, None, message)])


def _base_name(filename: str) -> str:
    """The file's own name: a path must never reach a message."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1] or filename


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]
