"""The result tables of a batch run (series level, and below it lesions, brain regions or dosimetry VOIs).

Every row a task returns has exactly these columns (missing values are None), so that the
Parquet and CSV files of any run, complete or interrupted, have one fixed schema. The README's
"Batch results" section lists the same columns; :func:`markdown_table` prints it from here.
No patient name, ID or birth date is ever a column: sex and age (years) only.
"""

from __future__ import annotations

# (name, type, description); types: "str", "float", "int", "bool"
SERIES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("result_key", "str", "hash of series UID, task, parameters and software version (the resume key)"),
    ("series_uid", "str", "Series Instance UID (dosimetry: of the first time point)"),
    ("study_uid", "str", "Study Instance UID"),
    ("source", "str", "folder of the series' first file (DICOMweb: the service URL)"),
    ("n_files", "int", "number of files of the series"),
    ("task", "str", "lesions, suv, references, qa, brain or dosimetry"),
    ("method", "str", "segmentation method (lesions task), else empty"),
    ("parameters", "str", "the task's parameters as JSON"),
    ("software_version", "str", "workstation version that computed the row"),
    ("status", "str", "ok or failed"),
    ("error", "str", "failed: the reason (exception type and message); ok: empty"),
    ("started_utc", "str", "when the task started (ISO 8601, UTC)"),
    ("seconds", "float", "time the task took on its worker, s"),
    ("cpu_seconds", "float", "CPU time of the task's thread on its worker, s (seconds minus waiting: I/O, other processes)"),
    ("worker", "str", "host:pid of the process that ran the task"),
    ("study_date", "str", "StudyDate (YYYYMMDD)"),
    ("patient_sex", "str", "PatientSex (M, F, O or empty)"),
    ("patient_age_y", "float", "age at the study in years (PatientAge, else study date minus birth date)"),
    ("manufacturer", "str", "Manufacturer"),
    ("model", "str", "ManufacturerModelName"),
    ("tracer", "str", "Radiopharmaceutical (0018,0031)"),
    ("nuclide", "str", "radionuclide code meaning"),
    ("units", "str", "pixel units (BQML, CNTS, GML, ...)"),
    ("shape", "str", "image size k x j x i (slices x rows x columns)"),
    ("voxel_ml", "float", "voxel volume, mL"),
    ("suv_type", "str", "SUV type (bw, lbm-james128, ...)"),
    ("suv_units", "str", "SUV units (g/ml, cm2/ml)"),
    ("suv_factor", "float", "SUV per stored unit (that of the earliest acquisition when it varies)"),
    ("suv_factor_varies", "bool", "the factor differs between instances (DecayCorrection NONE, per-slice factors)"),
    ("suv_provenance", "str", "the SUV trail as JSON: input, value, unit, source tag, rule"),
    ("warnings", "str", "warnings of the loader and the SUV computation, JSON list"),
    ("qc_missing_tags", "bool", "a header element SUV or QC needs was missing (an assumption was made)"),
    ("qc_decay_conflict", "bool", "decay-correction or timing facts contradict each other"),
    ("qc_sex_unknown", "bool", "the SUV used the mean of male and female formulas (sex unknown)"),
    ("qc_flags", "str", "all QC flags, comma separated (also files_skipped, slices_interpolated, liver_not_found, "
                                 "blood_pool_not_found, tracer_not_fdg: whole-body lesions on a tracer other than FDG)"),
    ("suvmax_image", "float", "highest SUV of the whole image"),
    ("n_lesions", "int", "lesions found (lesions task)"),
    ("suvmax", "float", "highest lesion SUVmax (lesions task)"),
    ("suvpeak_max", "float", "highest lesion SUVpeak (1 cm3 sphere)"),
    ("tmtv_ml", "float", "total metabolic tumour volume, mL"),
    ("tlg_total", "float", "total lesion glycolysis (sum of SUVmean x MTV)"),
    ("threshold", "float", "global SUV threshold of the method (empty: per lesion)"),
    ("liver_suvmean", "float", "liver reference (3 cm sphere, found automatically) SUVmean"),
    ("liver_suvsd", "float", "liver reference SUV standard deviation"),
    ("liver_x", "float", "liver reference centre x, LPS mm"),
    ("liver_y", "float", "liver reference centre y, LPS mm"),
    ("liver_z", "float", "liver reference centre z, LPS mm"),
    ("blood_pool_suvmean", "float", "blood-pool reference (references task) SUVmean"),
    ("blood_pool_suvsd", "float", "blood-pool reference SUV standard deviation"),
    ("qa_mean", "float", "qa task: mean SUV of the uniform cylinder's central VOI"),
    ("qa_deviation_percent", "float", "qa task: deviation of that mean from 1, %"),
    ("qa_max_slice_deviation_percent", "float", "qa task: largest slice deviation, %"),
    ("qa_pass", "bool", "qa task: within +-10 %"),
    ("brain_reference", "str", "brain task: reference region of the SUVRs (pons, cerebellum or global)"),
    ("brain_reference_value", "float", "brain task: mean of the reference region, in the file's units"),
    ("brain_database", "str", "brain task: normal database the z-scores are against (empty: none, SUVR only)"),
    ("brain_n_clusters", "int", "brain task: hypometabolic clusters (z <= -2, grey matter; empty without a database)"),
    ("brain_min_region_z", "float", "brain task: lowest regional z-score (empty without a database)"),
    ("dosimetry_time_points", "int", "dosimetry task: scans (time points) of the therapy"),
    ("dosimetry_times_h", "str", "dosimetry task: hours after injection of each time point, JSON list"),
    ("dosimetry_nuclide", "str", "dosimetry task: therapy nuclide"),
    ("dosimetry_administered_mbq", "float", "dosimetry task: administered activity, MBq"),
)

LESION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("result_key", "str", "the series row this lesion belongs to"),
    ("series_uid", "str", "Series Instance UID"),
    ("task", "str", "lesions"),
    ("method", "str", "segmentation method"),
    ("lesion", "int", "lesion number in the series (1 = first found)"),
    ("centre_x", "float", "centroid x, LPS mm"),
    ("centre_y", "float", "centroid y, LPS mm"),
    ("centre_z", "float", "centroid z, LPS mm"),
    ("max_x", "float", "hottest voxel x, LPS mm"),
    ("max_y", "float", "hottest voxel y, LPS mm"),
    ("max_z", "float", "hottest voxel z, LPS mm"),
    ("voxels", "int", "voxels of the lesion"),
    ("mtv_ml", "float", "metabolic tumour volume, mL"),
    ("suvmax", "float", "SUVmax"),
    ("suvmean", "float", "SUVmean"),
    ("suvpeak", "float", "SUVpeak (1 cm3 sphere)"),
    ("suv_sd", "float", "SUV standard deviation in the lesion"),
    ("tlg", "float", "SUVmean x MTV"),
    ("threshold", "float", "SUV threshold that defined the lesion"),
    ("background", "float", "local background (a50), else empty"),
)

REGION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("result_key", "str", "the series row this region belongs to"),
    ("series_uid", "str", "Series Instance UID"),
    ("task", "str", "brain"),
    ("region", "str", "CerebrA region (ICBM152 2009c atlas)"),
    ("hemisphere", "str", "L or R"),
    ("suvr", "float", "regional mean in MNI space over the reference region's mean"),
    ("z", "float", "(SUVR - normal mean at the patient's age) / normal SD; negative = lower (empty: no database)"),
    ("percentile", "float", "percentile of z among normals (normal distribution assumed)"),
    ("ai", "float", "asymmetry index 200 (L - R) / (L + R) of the region, %"),
    ("ai_z", "float", "z-score of the asymmetry index"),
    ("reference", "str", "reference region of the SUVR"),
)

VOI_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("result_key", "str", "the therapy's series row this VOI belongs to"),
    ("series_uid", "str", "Series Instance UID of the first time point"),
    ("task", "str", "dosimetry"),
    ("voi", "str", "VOI (RTSTRUCT ROI name)"),
    ("volume_ml", "float", "VOI volume on the first time point, mL"),
    ("mass_g", "float", "VOI mass (volume x density), g"),
    ("activities_mbq", "str", "VOI activity at each time point, MBq, JSON list"),
    ("fit_model", "str", "time-activity fit (mono, bi, uptake-washout, trapezoid, stp)"),
    ("lambda_eff_per_h", "float", "effective decay constant of the fit, 1/h"),
    ("tia_mbq_h", "float", "time-integrated activity, MBq h"),
    ("tia_sd_mbq_h", "float", "its standard deviation, MBq h"),
    ("dose_gy", "float", "mean absorbed dose by the chosen method, Gy"),
    ("dose_sd_gy", "float", "its standard deviation, Gy"),
    ("dose_led_gy", "float", "local energy deposition dose (electrons), Gy"),
    ("dose_dvk_gy", "float", "dose voxel kernel dose (electrons), Gy; empty with --dosimetry-method led"),
    ("gy_per_gbq", "float", "dose per administered GBq"),
    ("bed_gy", "float", "biologically effective dose (kidneys), Gy"),
)

SERIES_NAMES = tuple(c[0] for c in SERIES_COLUMNS)
LESION_NAMES = tuple(c[0] for c in LESION_COLUMNS)
REGION_NAMES = tuple(c[0] for c in REGION_COLUMNS)
VOI_NAMES = tuple(c[0] for c in VOI_COLUMNS)
#: columns that differ between two runs of the same work (when, where, how long)
RUN_COLUMNS = ("started_utc", "seconds", "cpu_seconds", "worker")


def empty_series_row() -> dict:
    return dict.fromkeys(SERIES_NAMES)


def empty_lesion_row() -> dict:
    return dict.fromkeys(LESION_NAMES)


def empty_region_row() -> dict:
    return dict.fromkeys(REGION_NAMES)


def empty_voi_row() -> dict:
    return dict.fromkeys(VOI_NAMES)


def arrow_schema(columns):
    import pyarrow as pa

    types = {"str": pa.string(), "float": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}
    return pa.schema([pa.field(name, types[kind]) for name, kind, _ in columns])


def arrow_table(rows: list[dict], columns):
    """Rows (dicts) -> a pyarrow Table with exactly ``columns`` (extra keys refused)."""
    import pyarrow as pa

    names = [c[0] for c in columns]
    for r in rows:
        extra = set(r) - set(names)
        if extra:
            raise ValueError(f"row has columns not in the schema: {sorted(extra)}")
    data = {n: [r.get(n) for r in rows] for n in names}
    return pa.Table.from_pydict(data, schema=arrow_schema(columns))


def markdown_table(columns) -> str:
    lines = ["| column | type | meaning |", "|---|---|---|"]
    lines += [f"| `{n}` | {t} | {d} |" for n, t, d in columns]
    return "\n".join(lines)
