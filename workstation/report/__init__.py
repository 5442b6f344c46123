"""Reports written as PDF (reportlab): the physicist QA report (:mod:`.qa`)."""
