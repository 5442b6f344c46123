"""Follow-up: two time points of one patient, lesions matched, the change table, response rules (PERCIST, EORTC,
Deauville), the CT-to-CT registration and what is stored of it."""
