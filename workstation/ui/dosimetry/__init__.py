"""The dosimetry workspace: time points side by side once registered, TAC with fit and residuals per VOI,
the dose map fused with isodose lines, and the DVH (runs ``analysis.dosimetry`` on a worker thread)."""
