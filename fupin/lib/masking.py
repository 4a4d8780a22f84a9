"""Masking of personal numbers on read pages (ID numbers, phones, bank accounts).

Pages show these masked for everyone by default; the full values appear only in edit forms (for
the roles that correct them) and after an audited "显示完整信息" action.
"""

from __future__ import annotations

from fupin.lib import idnumber

#: Fields that hold personal numbers, masked on pages and in the audit trail's before/after.
MASKED_FIELDS = {"id_number": "id", "citizen_id": "id", "phone": "phone", "bank_account": "bank", "disability_cert_no": "id"}
#: Fields that hold health and support details, shown only to roles that need them.
HEALTH_FIELDS = ("health", "disability_category", "disability_grade", "disability_cert_no",
                 "dibao_amount", "tekun_amount")


def mask_id(value: str | None) -> str:
    """530324********123X (delegates to fupin.lib.idnumber.mask)."""
    return idnumber.mask(value or "")


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]


def mask_bank(value: str | None) -> str:
    """6228480012345678901 → ***************8901: only the last four digits stay."""
    text = "".join((value or "").split())
    if not text:
        return ""
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


def mask_field(name: str, value):
    """The masked form of ``value`` when ``name`` is a personal-number field, otherwise ``value``."""
    kind = MASKED_FIELDS.get(name)
    if kind is None or value in (None, ""):
        return value
    return {"id": mask_id, "phone": mask_phone, "bank": mask_bank}[kind](str(value))
