"""XML documents of the query (STS) and EC2 protocols: success envelopes and error shapes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

EC2_NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"

Value = str | int | bool | None


def child(parent: ET.Element, tag: str, value: Value = None) -> ET.Element:
    """Append ``<tag>value</tag>`` (booleans as true/false) and return it."""
    element = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def children(parent: ET.Element, values: Mapping[str, Value]) -> None:
    """Append one child per entry, skipping None values."""
    for tag, value in values.items():
        if value is not None:
            child(parent, tag, value)


def serialize(root: ET.Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration."""
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def element(tag: str, value: Value) -> str:
    """``<tag>value</tag>`` as text, exactly as :func:`serialize` writes a :func:`child`.

    For hot paths (a DescribeInstances page of a thousand instances) where building and
    serialising an ElementTree costs more than the rest of the request.
    """
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif value is not None:
        value = str(value)
    if not value:
        return f"<{tag} />"
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{tag}>{value}</{tag}>"


def ec2_document(action: str, request_id: str, body: str) -> bytes:
    """``<ActionResponse xmlns=EC2>`` with its requestId and ``body`` (already XML text)."""
    return (
        f"<?xml version='1.0' encoding='utf-8'?>\n"
        f'<{action}Response xmlns="{EC2_NAMESPACE}">{element("requestId", request_id)}'
        f"{body}</{action}Response>"
    ).encode()


def ec2_error(code: str, message: str, request_id: str) -> bytes:
    """EC2's error document: ``<Response><Errors><Error><Code>..``."""
    root = ET.Element("Response")
    error = child(child(root, "Errors"), "Error")
    children(error, {"Code": code, "Message": message})
    child(root, "RequestID", request_id)
    return serialize(root)


def query_response(action: str, namespace: str, request_id: str) -> tuple[ET.Element, ET.Element]:
    """A query-protocol envelope; returns (root, the ``<ActionResult>`` to fill)."""
    root = ET.Element(f"{action}Response", xmlns=namespace)
    result = child(root, f"{action}Result")
    child(child(root, "ResponseMetadata"), "RequestId", request_id)
    return root, result


def query_error(code: str, message: str, request_id: str, *, sender: bool, namespace: str) -> bytes:
    """The query protocol's ``<ErrorResponse><Error><Type>..<Code>..`` document."""
    root = ET.Element("ErrorResponse", xmlns=namespace)
    error = child(root, "Error")
    children(error, {"Type": "Sender" if sender else "Receiver", "Code": code, "Message": message})
    child(root, "RequestId", request_id)
    return serialize(root)
