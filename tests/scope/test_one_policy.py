"""One access policy: a search of the code finds one scope implementation and one masking
implementation, and no role compared outside fupin/accounts/policy.py (issue 10).

These read the source as text, so that a second copy is caught the day it is written, not the day it
first disagrees with the policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "fupin"
POLICY = ROOT / "accounts" / "policy.py"


def sources() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]


def offenders(pattern: str, allowed: set[Path]) -> list[str]:
    regex = re.compile(pattern)
    found = []
    for path in sources():
        if path in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if regex.search(line):
                found.append(f"{path.relative_to(ROOT.parent)}:{n}: {line.strip()}")
    return found


@pytest.mark.parametrize(("what", "pattern", "allowed"), [
    # Role decisions: a user's role read and compared, or a role constant, outside the policy. The user
    # model defines the roles; the demo creates its accounts by role and prints them; the export
    # command's system user is a 系统管理员.
    ("a role compared", r"\.role\s*(==|!=|\bin\b|\bnot in\b)|\brole\s*(==|!=)\s*[\"']",
     {POLICY, ROOT / "demo" / "accounts.py", ROOT / "demo" / "management" / "commands" / "demo_logins.py"}),
    ("a role constant", r"\bRole\.[A-Z]+\b",
     {POLICY, ROOT / "accounts" / "models.py", ROOT / "demo" / "accounts.py",
      ROOT / "sheets" / "management" / "commands" / "export.py"}),
    # Scope: the subtree of the user's area and the household set are built in the policy only.
    ("a scope filter built from the user's area", r"(user|actor)\.area\.path",
     {POLICY}),
    ("a second scope function", r"def (scope_q|user_scope_path|household_ids_q|_check_scope|_actor_path)\b",
     set()),
    # Masking: the masking functions live in the policy; nothing else writes stars over a number.
    ("a masking function", r"def _?mask(_\w+)?\(", {POLICY}),
    ("stars written over a value", r"[\"']\*[\"']\s*\*", {POLICY}),
])
def test_only_the_policy_decides(what, pattern, allowed):
    assert offenders(pattern, allowed) == [], what


def test_the_registry_imports_neither_assistance_nor_assessment():
    registry = ROOT / "registry"
    imports = [f"{p.name}: {line.strip()}" for p in registry.rglob("*.py") if "migrations" not in p.parts
               for line in p.read_text(encoding="utf-8").splitlines()
               if re.search(r"\bfupin\.(assistance|assessment)\b", line)]
    assert imports == []
