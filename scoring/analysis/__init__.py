"""Analyses of results: pure functions over plain values (no ORM), like ``calculations``.

``phrasing``: how a unit and a lost leaf are said in a report's sentence; ``lost``: where a
unit lost points. Selectors (``scoring.selectors.insight``) feed them from the database."""
