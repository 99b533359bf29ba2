"""JUnit XML: one test suite per stack, one test case per policy × resource.

A resource policy gets a test case on every resource it applies to (its declared
resource types, or every resource when it declares none) and on every resource it
reported something about; a stack policy gets one test case for the stack. A test case

* **fails** when the policy reported a violation that no waiver covers (``type`` is the
  enforcement level: ``mandatory`` or ``advisory``);
* is **skipped** when every violation is waived (the message names the waiver), when the
  policy could not run (a value unknown in the state), or when it declared itself not
  applicable;
* **passes** otherwise.

The layout is the one Jenkins, GitLab, Azure DevOps and GitHub test reporters read
(``testsuites/testsuite/testcase`` with ``failure``/``skipped``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from cdcml.model import FindingKind, PolicyInfo, StackReport, Verdict

__all__ = ["verdict_to_junit"]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 can't carry, even as a character reference (C0 controls but tab,
newline and carriage return; lone surrogates; U+FFFE and U+FFFF)."""


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def clean_xml_tree(root: ET.Element) -> None:
    """Replace every character XML can't carry, in every attribute and text of *root*,
    with U+FFFD: names, messages and waivers come from the input, and the document must
    stay well-formed whatever they hold."""
    for el in root.iter():
        for key, value in el.attrib.items():
            el.set(key, _clean(value))
        if el.text:
            el.text = _clean(el.text)


class _Case:
    def __init__(self, classname: str, name: str, file: str) -> None:
        self.classname = classname
        self.name = name
        self.file = file
        self.failures: list[tuple[str, str]] = []  # (level, text)
        self.skips: list[str] = []

    def element(self) -> ET.Element:
        case = ET.Element("testcase", {"classname": self.classname, "name": self.name, "time": "0"})
        if self.file:
            case.set("file", self.file)
        if self.failures:
            level = "mandatory" if any(lv == "mandatory" for lv, _ in self.failures) else "advisory"
            first = self.failures[0][1].split("\n", 1)[0]
            failure = ET.SubElement(case, "failure", {"type": level, "message": first[:500]})
            failure.text = "\n\n".join(f"[{lv}] {text}" for lv, text in self.failures)
        elif self.skips:
            ET.SubElement(case, "skipped", {"message": self.skips[0][:500]})
        return case


def _applies(policy: PolicyInfo | None, rtype: str) -> bool:
    return policy is None or not policy.resource_types or rtype in policy.resource_types


def _suite(report: StackReport, policies: Sequence[PolicyInfo]) -> ET.Element:
    info = {p.qualified: p for p in policies}
    file = report.artifact.uri
    cases: dict[tuple[str, str], _Case] = {}
    order: list[tuple[str, str]] = []

    def case(urn: str, qualified: str, classname: str) -> _Case:
        key = (urn, qualified)
        if key not in cases:
            cases[key] = _Case(classname, qualified, file)
            order.append(key)
        return cases[key]

    stack_class = report.name
    resources = {r.urn: r for r in report.findings.evaluated}
    for r in report.findings.evaluated:
        for qualified in r.policies:
            if _applies(info.get(qualified), r.type):
                case(r.urn, qualified, f"{stack_class}.{r.name}")
    for qualified in report.findings.stack_policies:
        case("", qualified, stack_class)

    for i, f in enumerate(report.findings.findings):
        qualified = f"{f.pack}/{f.policy}"
        if f.policy_type == "stack":
            c = case("", qualified, stack_class)
        else:
            res = resources.get(f.urn)
            c = case(f.urn, qualified, f"{stack_class}.{res.name if res else f.urn.rsplit('::', 1)[-1]}")
        where = f"{f.urn} ({f.resource_type})" if f.urn else report.name
        if f.kind is FindingKind.VIOLATION:
            match = report.waivers.get(i)
            if match is not None and match.active:
                w = match.waiver
                c.skips.append(f"waived by {w.owner} until {w.expires}: {w.reason}")
            else:
                level = "mandatory" if f.is_mandatory_violation else "advisory"
                c.failures.append((level, f"{f.detail}\n{where}"))
        elif f.kind is FindingKind.UNKNOWN:
            c.skips.append(f.message)
        else:
            c.skips.append(f"not applicable: {f.message}")

    suite = ET.Element("testsuite", {"name": report.name})
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("project", report.findings.project),
        ("stack", report.findings.stack),
        ("source", report.findings.source),
        ("location", report.location),
        ("updateInProgress", "; ".join(lock.describe() for lock in report.locks)),
    ):
        if value:
            ET.SubElement(props, "property", {"name": name, "value": value})
    failures = skipped = 0
    for key in order:
        c = cases[key]
        suite.append(c.element())
        failures += bool(c.failures)
        skipped += bool(not c.failures and c.skips)
    suite.set("tests", str(len(order)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    suite.set("time", "0")
    return suite


def verdict_to_junit(verdict: Verdict) -> bytes:
    """The JUnit XML document of *verdict* (UTF-8 bytes)."""
    root = ET.Element("testsuites", {"name": f"cdcml {verdict.command}"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in verdict.stacks:
        suite = _suite(report, verdict.policies)
        for k in totals:
            totals[k] += int(suite.get(k, "0"))
        root.append(suite)
    if verdict.expired_waivers:
        suite = ET.SubElement(root, "testsuite", {"name": "waivers", "tests": "0", "failures": "0", "skipped": "0"})
        errors = 0
        for w in verdict.expired_waivers:
            case = ET.SubElement(
                suite, "testcase", {"classname": "waivers", "name": f"waiver #{w.index} {w.policy}", "time": "0"}
            )
            err = ET.SubElement(case, "error", {"type": "expired-waiver", "message": f"{w.describe()} expired"})
            err.text = f"{w.reason}\nRenew the waiver or remove it."
            errors += 1
        suite.set("tests", str(errors))
        suite.set("errors", str(errors))
        totals["tests"] += errors
        totals["errors"] += errors
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", "0")
    clean_xml_tree(root)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
