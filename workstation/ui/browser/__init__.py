"""Study browser, its diagnostics and the PACS tab."""
