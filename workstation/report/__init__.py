"""Documents for people, as PDF (reportlab): the reading report (:mod:`.reading_report`) and the
physicist QA report (:mod:`.qa`).

Row 3: this package imports ``core``, ``io`` and ``settings`` only. What it draws comes in as
plain data (:class:`reading_report.ReportContent`, the QA results) and PNG images produced elsewhere
(``analysis.reading.key_images``), so it needs neither VTK nor the analysis code.
"""
