"""What every model module shares."""

POINTS = {"max_digits": 7, "decimal_places": 2}


def code_sort_key(code: str) -> str:
    """'1.10' must sort after '1.9': pad each numeric part so text order is tree order."""
    return ".".join(part.zfill(4) if part.isdigit() else part for part in code.split("."))
