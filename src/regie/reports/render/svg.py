"""A chart as inline SVG for the report page and the PDF: vl-convert's drawing of the chart's
Vega-Lite spec (Dutch number and time locales), made safe to put inside HTML.

The SVG is parsed and written out again, so nothing in it can end the ``<svg>`` element or run
anything: scripts, ``foreignObject``, images, styles, event handlers and links other than to the
drawing itself are dropped. Ids get a per-chart prefix (several charts on one page), and the root
gets ``role="img"``, an ``aria-label`` and a ``<title>`` (WeasyPrint's ``/Alt`` of the figure).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape
from typing import Final

SVG_NS: Final = "http://www.w3.org/2000/svg"
XML_NS: Final = "http://www.w3.org/XML/1998/namespace"
_DROPPED: Final = frozenset(
    {"script", "foreignObject", "image", "style", "iframe", "object", "embed", "use", "a"}
)
_URL_REF: Final = re.compile(r"url\(\s*#([^)\s]+)\s*\)")


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _clean_attributes(element: ET.Element, prefix: str) -> None:
    for name in list(element.attrib):
        local = _local(name).lower()
        value = element.attrib[name]
        if local.startswith("on"):
            del element.attrib[name]
        elif local == "role" or local.startswith("aria-"):
            # The drawing is one image (its root gets role="img" and a label): roles of the
            # marks inside would make screen readers and axe read a half-labelled graphic.
            del element.attrib[name]
        elif local == "href":
            del element.attrib[name]
            if value.startswith("#"):  # SVG 2's plain href, so no xlink prefix is needed
                element.attrib["href"] = f"#{prefix}-{value[1:]}"
        elif local == "id":
            element.attrib[name] = f"{prefix}-{value}"
        elif "url(" in value:
            cleaned = _URL_REF.sub(lambda match: f"url(#{prefix}-{match[1]})", value)
            # a url() that points outside the drawing is dropped with its attribute
            if "url(" in _URL_REF.sub("", cleaned):
                del element.attrib[name]
            else:
                element.attrib[name] = cleaned


def _clean(element: ET.Element, prefix: str) -> None:
    for child in list(element):
        if _local(str(child.tag)) in _DROPPED or not isinstance(child.tag, str):
            element.remove(child)
        else:
            _clean(child, prefix)
    _clean_attributes(element, prefix)


def _write(element: ET.Element, parts: list[str]) -> None:
    """Serialise without namespace prefixes (and without ElementTree's global prefix map,
    which WeasyPrint's parser relies on: ``register_namespace`` would break its SVG support)."""
    tag = _local(str(element.tag))
    parts.append(f"<{tag}")
    for name, value in element.attrib.items():
        if name.startswith(f"{{{XML_NS}}}"):
            name = "xml:" + _local(name)
        elif name.startswith("{"):
            continue
        parts.append(f' {name}="{escape(value, quote=True)}"')
    parts.append(">")
    if element.text:
        parts.append(escape(element.text, quote=False))
    for child in element:
        _write(child, parts)
        if child.tail:
            parts.append(escape(child.tail, quote=False))
    parts.append(f"</{tag}>")


def safe_svg(svg: str, *, label: str, prefix: str, css_class: str = "") -> str:
    """``svg`` (vl-convert's output) cleaned, with ids prefixed and ``label`` as its name."""
    root = ET.fromstring(svg)  # noqa: S314 - vl-convert output: no DTD, no entities
    if _local(str(root.tag)) != "svg":
        raise ValueError("Not an SVG drawing")
    _clean(root, prefix)
    for existing in root.findall(f"{{{SVG_NS}}}title"):
        root.remove(existing)
    title = ET.Element(f"{{{SVG_NS}}}title")
    title.text = label
    root.insert(0, title)
    if root.get("viewBox"):
        # no fixed size: the drawing scales to the width of the page or the paper (its
        # viewBox keeps the proportions), without a style attribute the page's CSP would refuse
        root.attrib.pop("width", None)
        root.attrib.pop("height", None)
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("focusable", "false")
    if css_class:
        root.set("class", css_class)
    root.set("xmlns", SVG_NS)
    parts: list[str] = []
    _write(root, parts)
    return "".join(parts)
