"""The study database seen as a DICOM query model: one dict per patient, study, series or instance,
keyed by DICOM keywords, for the C-FIND / C-GET / C-MOVE service of our node (``net.query_scp``).
A mixin of :class:`workstation.io.db.StudyDB`.

The rows carry what the index holds (no pixel data, no file read): names and IDs as stored,
dates as ``YYYYMMDD``, counts of related studies, series and instances computed by SQL. Matching
(wildcards, ranges, UID lists) is done by the caller; the optional UID arguments only narrow the
SQL so that a query by UID does not read the whole index.
"""

from __future__ import annotations

LEVELS = ("PATIENT", "STUDY", "SERIES", "IMAGE")


class QueryIndex:
    """Rows of the study database by query level (mixed into ``StudyDB``)."""

    def query_rows(self, level: str, *, study_uid: str | None = None, series_uid: str | None = None) -> list[dict]:
        level = level.upper()
        if level not in LEVELS:
            raise ValueError(f"query level {level!r}: expected one of {', '.join(LEVELS)}")
        pat = ("p.patient_id, p.name, p.birth_date, p.sex, "
               "(SELECT count(*) FROM studies s2 WHERE s2.patient_key = p.patient_key)")
        where, args = [], []
        if level == "PATIENT":
            q = f"SELECT {pat} FROM patients p"
        else:
            q = (f"SELECT {pat}, s.study_uid, s.study_date, s.study_time, s.description, s.accession_number, "
                 "(SELECT group_concat(DISTINCT modality) FROM series x WHERE x.study_uid = s.study_uid), "
                 "(SELECT count(*) FROM series x WHERE x.study_uid = s.study_uid), "
                 "(SELECT count(*) FROM instances i JOIN series x ON x.series_uid = i.series_uid "
                 " WHERE x.study_uid = s.study_uid)")
            frm = " FROM studies s JOIN patients p ON p.patient_key = s.patient_key"
            if level in ("SERIES", "IMAGE"):
                q += (", se.series_uid, se.modality, se.series_number, se.description, se.series_date, se.series_time, "
                      "(SELECT count(*) FROM instances i WHERE i.series_uid = se.series_uid)")
                frm += " JOIN series se ON se.study_uid = s.study_uid"
            if level == "IMAGE":
                q += ", i.sop_instance_uid, i.sop_class_uid, i.instance_number, i.path, i.transfer_syntax_uid"
                frm += " JOIN instances i ON i.series_uid = se.series_uid"
            q += frm
            if study_uid:
                where.append("s.study_uid = ?")
                args.append(study_uid)
            if series_uid and level in ("SERIES", "IMAGE"):
                where.append("se.series_uid = ?")
                args.append(series_uid)
        if where:
            q += " WHERE " + " AND ".join(where)
        with self._lock:
            rows = self._con.execute(q, args).fetchall()
        out = []
        for r in rows:
            d = {"PatientID": r[0] or "", "PatientName": r[1] or "", "PatientBirthDate": r[2] or "",
                 "PatientSex": r[3] or "", "NumberOfPatientRelatedStudies": r[4]}
            if level != "PATIENT":
                d.update(StudyInstanceUID=r[5], StudyDate=r[6] or "", StudyTime=r[7] or "", StudyDescription=r[8] or "",
                         AccessionNumber=r[9] or "",
                         ModalitiesInStudy=sorted(set((r[10] or "").split(",")) - {""}),
                         NumberOfStudyRelatedSeries=r[11], NumberOfStudyRelatedInstances=r[12])
            if level in ("SERIES", "IMAGE"):
                d.update(SeriesInstanceUID=r[13], Modality=r[14] or "", SeriesNumber=r[15],
                         SeriesDescription=r[16] or "", SeriesDate=r[17] or "", SeriesTime=r[18] or "",
                         NumberOfSeriesRelatedInstances=r[19])
            if level == "IMAGE":
                d.update(SOPInstanceUID=r[20], SOPClassUID=r[21] or "", InstanceNumber=r[22], _path=r[23],
                         _transfer_syntax=r[24] or "")
            out.append(d)
        return out
