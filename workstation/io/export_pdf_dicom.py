"""The signed reading report as a DICOM Encapsulated PDF (PS3.3 A.45.1), so that it travels back to
the sending hospital with the study.

The PDF's bytes go unchanged into Encapsulated Document (0042,0011) (padded to even length, the
true length in Encapsulated Document Length (0042,0015)); the patient and study attributes are
copied from a header of the study read; the instance is in a report series of its own (modality
DOC), the same series for every version of one study's report.

Who signed and when: Content Date/Time are the signing time, Verification Flag is VERIFIED and the
Verifying Observer Sequence names the reader and the sign time (as an SR would carry it). An
amendment is a new instance (new SOP Instance UID, Instance Number = version) whose
Predecessor Documents Sequence references the previous version by its study, series and SOP
Instance UIDs, and whose Document Title says "amended, version N": earlier versions are never
overwritten (writing refuses an existing file).
"""

from __future__ import annotations

from datetime import datetime

from workstation.io.export_common import (DEVICE_SERIAL, MANUFACTURER, MODEL_NAME, SOFTWARE_VERSION, ExportError, new_uid,
                            save_dataset)

ENCAPSULATED_PDF_STORAGE = "1.2.840.10008.5.1.4.1.1.104.1"
_COPY = ("SpecificCharacterSet", "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID",
         "StudyDate", "StudyTime", "StudyID", "AccessionNumber", "ReferringPhysicianName", "StudyDescription",
         "IssuerOfPatientID")
_TYPE2 = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime", "StudyID",
          "AccessionNumber", "ReferringPhysicianName")
REPORT_TITLE = "PET/CT reading report"


def build_encapsulated_pdf(pdf: bytes, source, *, reader: str, signed: datetime, version: int = 1,
                           series_uid: str | None = None, previous=None, institution: str = "",
                           title: str = REPORT_TITLE, series_number: int = 990):
    """A pydicom Dataset (with file meta) holding ``pdf``.

    ``source``: a header (pydicom Dataset) of the study read. ``previous``: the dataset (or header) of
    the version this one amends; required for ``version`` > 1, and of the same study.
    """
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID

    if not pdf.startswith(b"%PDF-"):
        raise ExportError("the report to encapsulate is not a PDF (it does not start with %PDF-)")
    if not reader.strip():
        raise ExportError("a signed report needs the reader's name")
    if version < 1:
        raise ExportError(f"report version {version}: versions start at 1")
    if version > 1 and previous is None:
        raise ExportError(f"report version {version} amends version {version - 1}: give that version")
    if previous is not None and str(previous.StudyInstanceUID) != str(source.StudyInstanceUID):
        raise ExportError("the amended report belongs to another study")
    src = Dataset()
    for kw in _COPY:
        if kw in source:
            setattr(src, kw, source.data_element(kw).value)
    for kw in _TYPE2:  # type 2 of the patient and study modules: present, empty when unknown
        if kw not in src:
            setattr(src, kw, "")
    for kw in ("StudyID", "AccessionNumber"):  # SH: at most 16 characters
        if len(str(src.get(kw, ""))) > 16:
            setattr(src, kw, str(src.get(kw))[:16])
    ds = Dataset()
    ds.update(src)
    if "SpecificCharacterSet" not in ds:
        ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = ENCAPSULATED_PDF_STORAGE
    ds.SOPInstanceUID = new_uid()
    ds.SeriesInstanceUID = series_uid or (str(previous.SeriesInstanceUID) if previous is not None else new_uid())
    ds.Modality = "DOC"
    ds.SeriesNumber = series_number
    ds.SeriesDescription = "Reading report"
    ds.InstanceNumber = version
    day, time = signed.strftime("%Y%m%d"), signed.strftime("%H%M%S")
    ds.SeriesDate, ds.SeriesTime = day, time
    ds.ContentDate, ds.ContentTime = day, time
    ds.InstanceCreationDate, ds.InstanceCreationTime = day, time
    ds.AcquisitionDateTime = signed.strftime("%Y%m%d%H%M%S")
    ds.Manufacturer = MANUFACTURER
    ds.ManufacturerModelName = MODEL_NAME
    ds.SoftwareVersions = SOFTWARE_VERSION
    ds.DeviceSerialNumber = DEVICE_SERIAL
    if institution:
        ds.InstitutionName = institution
    ds.ConversionType = "WSD"  # SC Equipment: workstation
    ds.BurnedInAnnotation = "YES"  # the report names the patient
    ds.DocumentTitle = title if version == 1 else f"{title} (amended, version {version})"
    concept = Dataset()  # LOINC 18748-4 Diagnostic imaging report
    concept.CodeValue, concept.CodingSchemeDesignator, concept.CodeMeaning = "18748-4", "LN", "Diagnostic imaging study"
    ds.ConceptNameCodeSequence = [concept]
    ds.VerificationFlag = "VERIFIED"
    obs = Dataset()
    obs.VerifyingObserverName = reader
    obs.VerificationDateTime = signed.strftime("%Y%m%d%H%M%S")
    obs.VerifyingOrganization = institution or "reading hub"
    obs.VerifyingObserverIdentificationCodeSequence = []
    ds.VerifyingObserverSequence = [obs]
    if previous is not None:
        ds.PredecessorDocumentsSequence = predecessor_documents(previous)
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocumentLength = len(pdf)
    ds.EncapsulatedDocument = pdf + (b"\x00" if len(pdf) % 2 else b"")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    return ds


def write_encapsulated_pdf(path, pdf: bytes, source, **kw):
    """Build and write atomically; an existing file is never replaced (a new version is a new file)."""
    ds = build_encapsulated_pdf(pdf, source, **kw)
    save_dataset(ds, path, overwrite=False)
    return ds


def pdf_bytes(ds) -> bytes:
    """The PDF inside an Encapsulated PDF instance, without the padding byte."""
    data = bytes(ds.EncapsulatedDocument)
    n = ds.get("EncapsulatedDocumentLength")
    return data[:int(n)] if n is not None else (data[:-1] if data.endswith(b"\x00") else data)


def predecessor_documents(previous) -> list:
    """Predecessor Documents Sequence (0040,A360) naming ``previous`` (a dataset with its study, series,
    SOP class and instance UIDs): how an amended document references the version it replaces."""
    from pydicom.dataset import Dataset

    ref = Dataset()
    ref.ReferencedSOPClassUID = str(previous.SOPClassUID)
    ref.ReferencedSOPInstanceUID = str(previous.SOPInstanceUID)
    ser = Dataset()
    ser.SeriesInstanceUID = str(previous.SeriesInstanceUID)
    ser.ReferencedSOPSequence = [ref]
    study = Dataset()
    study.StudyInstanceUID = str(previous.StudyInstanceUID)
    study.ReferencedSeriesSequence = [ser]
    return [study]
