"""Render stage, print: QR symbols, plaque layouts painted as PDFs, sheets and engravings, print runs."""
