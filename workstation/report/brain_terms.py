"""Simplified Chinese for the brain report's engine text: CerebrA region names (with the hemisphere),
pattern names, the normalisation stages, the template and the warnings the analysis gives.

The analysis speaks English (its JSON is English, one vocabulary for scripts); the report translates
what it prints. Texts it does not know are printed as they are (in English), never dropped, and
:func:`untranslated` lists them so a test can catch a new engine string that has no translation.
"""

from __future__ import annotations

import re

REGION_ZH = {
    "Accumbens Area": "伏隔核", "Amygdala": "杏仁核", "Basal Forebrain": "基底前脑", "Brainstem": "脑干",
    "Caudal Anterior Cingulate": "前扣带回尾部", "Caudal Middle Frontal": "额中回尾部", "Caudate": "尾状核",
    "Cerebellum Gray Matter": "小脑灰质", "Cerebellum White Matter": "小脑白质", "Cuneus": "楔叶",
    "Entorhinal": "内嗅皮层", "Fourth Ventricle": "第四脑室", "Fusiform": "梭状回", "Hippocampus": "海马",
    "Inferior Lateral Ventricle": "侧脑室下角", "Inferior Parietal": "顶下小叶", "Inferior temporal": "颞下回",
    "Insula": "岛叶", "Isthmus Cingulate": "扣带回峡部", "Lateral Occipital": "枕叶外侧皮层",
    "Lateral Orbitofrontal": "眶额叶外侧", "Lateral Ventricle": "侧脑室", "Lingual": "舌回",
    "Medial Orbitofrontal": "眶额叶内侧", "Middle Temporal": "颞中回", "Optic Chiasm": "视交叉", "Pallidum": "苍白球",
    "Paracentral": "中央旁小叶", "Parahippocampal": "海马旁回", "Pars Opercularis": "额下回岛盖部",
    "Pars Orbitalis": "额下回眶部", "Pars Triangularis": "额下回三角部", "Pericalcarine": "距状沟周围皮层",
    "Postcentral": "中央后回", "Posterior Cingulate": "后扣带回", "Precentral": "中央前回", "Precuneus": "楔前叶",
    "Putamen": "壳核", "Rostral Anterior Cingulate": "前扣带回嘴部", "Rostral Middle Frontal": "额中回嘴部",
    "Superior Frontal": "额上回", "Superior Parietal": "顶上小叶", "Superior Temporal": "颞上回",
    "Supramarginal": "缘上回", "Thalamus": "丘脑", "Third Ventricle": "第三脑室", "Transverse Temporal": "颞横回",
    "Ventral Diencephalon": "腹侧间脑", "Vermal lobules I-V": "小脑蚓部 I–V 小叶",
    "Vermal lobules VI-VII": "小脑蚓部 VI–VII 小叶", "Vermal lobules VIII-X": "小脑蚓部 VIII–X 小叶",
}
HEMI_ZH = {"L": "左侧", "R": "右侧"}
UNLABELLED = "white matter / unlabelled"

PATTERN_NAMES = {
    "en": {"AD": "Alzheimer's disease (AD)", "bvFTD": "behavioural-variant FTD (bvFTD)",
           "DLB": "dementia with Lewy bodies (DLB)"},
    "zh_CN": {"AD": "阿尔茨海默病 (AD)", "bvFTD": "行为变异型额颞叶痴呆 (bvFTD)", "DLB": "路易体痴呆 (DLB)"},
}

_STAGES_ZH = [
    (r"centre of mass", "质心对齐"),
    (r"rigid", "刚体配准"),
    (r"affine", "仿射配准"),
    (r"symmetric-forces demons \((\d+) iterations, field smoothed (\S+) mm sigma\) on the affinely resampled PET",
     r"对称力 demons 非线性配准（\1 次迭代，位移场平滑 σ = \2 mm），作用于仿射重采样后的 PET"),
    (r"B-spline \(mesh (.+), ~(\S+) mm control points, L-BFGS-B\)", r"B 样条非线性配准（网格 \1，控制点间距约 \2 mm，L-BFGS-B）"),
    (r"PET to its T1: rigid \(6 parameters\), Mattes mutual information",
     "PET 至同一患者 T1：刚体配准（6 参数），Mattes 互信息"),
    (r"T1 to the MNI152 T1 template: (.+)", r"T1 至 MNI152 T1 模板：\1"),
    (r"composed transform applied to the PET", "复合变换作用于 PET"),
]

_TEMPLATE_ZH = [
    (r"pseudo-FDG ICBM152 2009a", "伪 FDG 模板（ICBM152 2009a）"),
    (r"mean of the (\d+) normals of database '([^']*)'", r"数据库 '\2' 的 \1 例正常者均值"),
    (r"MNI152 T1 template \(ICBM152 2009a\), MR-guided", "MNI152 T1 模板（ICBM152 2009a），MR 引导"),
]

_WARNINGS_ZH = [
    (r"no normal database: SUVR and asymmetry only, no z-scores", "无正常数据库：仅给出 SUVR 与不对称指数，无 z 值"),
    (r"the patient's age is not known: compared with the normals at their mean age \((\d+) years\)",
     r"患者年龄未知：按正常者平均年龄（\1 岁）比较"),
    (r"database '([^']*)' is synthetic — demonstration only", r"数据库 '\1' 为合成数据——仅供演示"),
    (r"database '([^']*)' was built before cluster calibration: clusters use z <= (\S+) and >= (\S+) mL, which gives "
     r"several false clusters per normal; rebuild it \(`workstation brain normals build`\)",
     r"数据库 '\1' 建于团块阈值校准之前：团块按 z ≤ \2、≥ \3 mL 判定，每例正常者可出现多个假阳性团块；"
     r"请重建数据库（`workstation brain normals build`）"),
    (r"PET to T1 registration: mutual information ([\d.]+)", r"PET 至 T1 配准：互信息 \1"),
]

_missed: set[str] = set()


def _apply(rules, text: str) -> str:
    for pat, rep in rules:
        m = re.fullmatch(pat, text)
        if m:
            return m.expand(rep)
    _missed.add(text)
    return text


def region(name: str, hemisphere: str | None, lang: str) -> str:
    """A CerebrA structure with its side, e.g. ('Precuneus', 'L') -> 'Precuneus L' / '左侧楔前叶'."""
    if lang != "zh_CN":
        return f"{name} {hemisphere}" if hemisphere else name
    zh = REGION_ZH.get(name)
    if zh is None:
        _missed.add(name)
        zh = name
    return f"{HEMI_ZH.get(hemisphere, '')}{zh}"


def cluster_region(text: str, lang: str) -> str:
    """The engine's cluster-region text ('<CerebrA name> L|R' or 'white matter / unlabelled')."""
    if lang != "zh_CN":
        return text
    if text == UNLABELLED:
        return "白质／未标记"
    name, _, hemi = text.rpartition(" ")
    if hemi in HEMI_ZH and name in REGION_ZH:
        return region(name, hemi, lang)
    _missed.add(text)
    return text


def pattern(key: str, lang: str) -> str:
    return PATTERN_NAMES.get(lang, PATTERN_NAMES["en"]).get(key, key)


def stage(text: str, lang: str) -> str:
    return text if lang != "zh_CN" else _apply(_STAGES_ZH, text)


def template_name(text: str, lang: str) -> str:
    return text if lang != "zh_CN" else _apply(_TEMPLATE_ZH, text)


def warning(text: str, lang: str) -> str:
    return text if lang != "zh_CN" else _apply(_WARNINGS_ZH, text)


def untranslated() -> set[str]:
    """Engine texts printed in English in a zh_CN report since the process started."""
    return set(_missed)
