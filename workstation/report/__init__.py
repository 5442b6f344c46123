"""Documents for people: the PDF reading report (reportlab).

Row 3: this package imports ``core``, ``io`` and ``settings`` only. What it draws comes in as
plain data (:class:`reading_report.ReportContent`) and PNG images produced elsewhere
(``analysis.key_images``), so it needs neither VTK nor the analysis code.
"""
