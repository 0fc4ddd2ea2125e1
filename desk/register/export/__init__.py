"""Exports of the whole register in formats other tools check: CSV, hledger, beancount."""

from desk.register.export.writer import FORMATS, export

__all__ = ["FORMATS", "export"]
