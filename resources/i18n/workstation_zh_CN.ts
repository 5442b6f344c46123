<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>BatchResultsWindow</name>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="33" />
        <source>status</source>
        <extracomment>(column of the series table, header)</extracomment>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="34" />
        <source>folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="35" />
        <source>date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="36" />
        <source>sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="37" />
        <source>age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="38" />
        <source>tracer</source>
        <translation>示踪剂</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="39" />
        <source>method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="40" />
        <source>lesions</source>
        <translation>病灶数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="41" />
        <location filename="../../workstation/ui/batch/results_window.py" line="53" />
        <source>SUVmax</source>
        <translation>SUVmax</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="42" />
        <source>TMTV mL</source>
        <translation>TMTV (mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="43" />
        <location filename="../../workstation/ui/batch/results_window.py" line="57" />
        <source>TLG</source>
        <translation>TLG</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="44" />
        <source>liver SUVmean</source>
        <translation>肝脏 SUVmean</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="45" />
        <source>image SUVmax</source>
        <translation>图像 SUVmax</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="46" />
        <source>SUV factor</source>
        <translation>SUV 因子</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="47" />
        <source>QC flags</source>
        <translation>质控标记</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="48" />
        <source>reason of failure</source>
        <translation>失败原因</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="49" />
        <source>series UID</source>
        <translation>序列 UID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="52" />
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="54" />
        <source>SUVmean</source>
        <translation>SUVmean</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="55" />
        <source>SUVpeak</source>
        <translation>SUVpeak</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="56" />
        <source>MTV mL</source>
        <translation>MTV (mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="58" />
        <source>x mm</source>
        <translation>x (mm)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="59" />
        <source>y mm</source>
        <translation>y (mm)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="60" />
        <source>z mm</source>
        <translation>z (mm)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="64" />
        <source>region</source>
        <extracomment>the lower table of a brain row (its regions) and of a dosimetry row (its VOIs)</extracomment>
        <translation>脑区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="65" />
        <source>side</source>
        <translation>侧别</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="66" />
        <source>SUVR</source>
        <translation>SUVR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="67" />
        <source>z</source>
        <translation>z</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="68" />
        <source>asymmetry %</source>
        <translation>不对称性 %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="69" />
        <source>reference</source>
        <translation>参考区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="72" />
        <source>VOI</source>
        <translation>VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="73" />
        <source>mass g</source>
        <translation>质量 g</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="74" />
        <source>fit</source>
        <translation>拟合</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="75" />
        <source>TIA MBq h</source>
        <translation>TIA MBq·h</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="76" />
        <source>dose Gy</source>
        <translation>剂量 Gy</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="77" />
        <source>SD Gy</source>
        <translation>标准差 Gy</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="78" />
        <source>Gy/GBq</source>
        <translation>Gy/GBq</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="196" />
        <source>Batch results</source>
        <translation>批量结果</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="204" />
        <source>Open results…</source>
        <translation>打开结果…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="206" />
        <source>no results file</source>
        <translation>未打开结果文件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="208" />
        <source>filter: words that every row shown must contain</source>
        <translation>筛选：显示的每一行都须包含这些词</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="211" />
        <source>all rows</source>
        <translation>全部行</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="211" />
        <source>quantified</source>
        <translation>已定量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="211" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="213" />
        <source>QC flags only</source>
        <translation>仅有质控标记</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="215" />
        <source>Open study</source>
        <translation>打开检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="216" />
        <source>open the selected series in the reading window and find its lesions again with the row's method</source>
        <translation>在阅片窗口中打开所选序列，并用该行的方法重新查找其病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="258" />
        <source>Open batch results</source>
        <translation>打开批量结果</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="259" />
        <source>Batch results (*.parquet)</source>
        <translation>批量结果 (*.parquet)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="270" />
        <source>cannot open {}: {}</source>
        <translation>无法打开 {}：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="294" />
        <source>task {}, workstation {}, {} run(s); last: {} selected, {} failed, {:.1f} s</source>
        <translation>任务 {}，workstation {}，运行 {} 次；最近一次：选中 {}，失败 {}，{:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/batch/results_window.py" line="302" />
        <source>{} of {} series</source>
        <translation>{} / {} 个序列</translation>
    </message>
</context>
<context>
    <name>BrainWindow</name>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="141" />
        <source>Brain FDG PET</source>
        <translation>脑 FDG PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="169" />
        <source>Background: patient T1 (MR-guided)</source>
        <translation>背景：患者 T1（MR 引导）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="170" />
        <source>Background: MNI T1 template</source>
        <translation>背景：MNI T1 模板</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="171" />
        <source>Background: patient SUVR</source>
        <translation>背景：患者 SUVR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="216" />
        <source>pons</source>
        <translation>脑桥</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="216" />
        <source>cerebellar grey matter</source>
        <translation>小脑灰质</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="217" />
        <source>whole brain (global)</source>
        <translation>全脑（整体）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="218" />
        <source>Reference: {0}  |  Template: {1}</source>
        <translation>参考区域：{0}  |  模板：{1}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="220" />
        <source>Normalisation: MR-guided (patient T1)</source>
        <translation>标准化：MR 引导（患者 T1）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="224" />
        <source>Database: {0}, N = {1}</source>
        <translation>数据库：{0}，例数 = {1}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="226" />
        <source>, ages {0:.0f}–{1:.0f}</source>
        <translation>，年龄 {0:.0f}–{1:.0f}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="228" />
        <source>synthetic — demonstration only</source>
        <translation>合成数据——仅供演示</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="230" />
        <source>No normal database: SUVR only</source>
        <translation>无正常数据库：仅 SUVR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="237" />
        <source>Region</source>
        <translation>脑区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="237" />
        <source>SUVR L</source>
        <translation>SUVR 左</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="237" />
        <source>z L</source>
        <translation>z 左</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="237" />
        <source>SUVR R</source>
        <translation>SUVR 右</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="237" />
        <source>z R</source>
        <translation>z 右</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="237" />
        <source>AI %</source>
        <translation>AI %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="238" />
        <source>AI z</source>
        <translation>AI z</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="261" />
        <source>No z-map without a normal database.</source>
        <translation>没有正常数据库，无 z 图。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="265" />
        <source>No cluster (z ≤ {0:g}, ≥ {1:g} mL).</source>
        <translation>无团块（z ≤ {0:g}，≥ {1:g} mL）。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="268" />
        <source>Clusters (reference {0}):</source>
        <translation>团块（参考区域 {0}）：</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="270" />
        <source>{0:.1f} mL, peak z {1:.2f}, {2}</source>
        <translation>{0:.1f} mL，峰值 z {1:.2f}，{2}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="286" />
        <source>z-map threshold: decrease ≥ {0:.1f}</source>
        <translation>z 图阈值：减低 ≥ {0:.1f}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/brain/window.py" line="310" />
        <source>MNI {0:.0f}, {1:.0f}, {2:.0f} mm  SUVR {3:.3f} ({4})  z {5}</source>
        <translation>MNI {0:.0f}, {1:.0f}, {2:.0f} mm  SUVR {3:.3f}（{4}）  z {5}</translation>
    </message>
</context>
<context>
    <name>CalibrationSettingsDialog</name>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="19" />
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="61" />
        <source>Camera</source>
        <translation>相机</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="20" />
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="62" />
        <source>Nuclide</source>
        <translation>核素</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="21" />
        <source>cps/MBq</source>
        <translation>cps/MBq</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="22" />
        <source>Measured</source>
        <translation>测量日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="23" />
        <source>Age (days)</source>
        <translation>时长（天）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="24" />
        <source>Who</source>
        <translation>测量人</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="34" />
        <source>Camera calibration (dosimetry)</source>
        <translation>相机校准（剂量学）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="43" />
        <source>Manufacturer / ManufacturerModelName / DeviceSerialNumber</source>
        <translation>制造商 / 型号 / 设备序列号</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="57" />
        <source>energy windows, collimator, phantom (optional)</source>
        <translation>能窗、准直器、模体（可选）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="58" />
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="63" />
        <source>Sensitivity</source>
        <translation>灵敏度</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="64" />
        <source>Date measured</source>
        <translation>测量日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="65" />
        <source>Measured by</source>
        <translation>测量人</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="66" />
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="68" />
        <source>New measurement</source>
        <translation>新测量值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="72" />
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="75" />
        <source>Warn when older than</source>
        <translation>超过以下时长时警告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="79" />
        <source>Stored factors (the newest per camera and nuclide is used)</source>
        <translation>已存校准因子（每台相机和核素使用最新的一条）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/calibration_settings.py" line="115" />
        <source>Stored {0} cps/MBq for {1}, {2}, measured {3}.</source>
        <translation>已保存 {0} cps/MBq：{1}，{2}，测量于 {3}。</translation>
    </message>
</context>
<context>
    <name>ConflictsDialog</name>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="31" />
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="31" />
        <source>UID</source>
        <translation>UID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="32" />
        <source>File in conflict</source>
        <translation>冲突文件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="33" />
        <source>First file (keeps the UID)</source>
        <translation>首个文件（保留该 UID）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="34" />
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="34" />
        <source>Found</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="41" />
        <source>Same SOP Instance UID, different file</source>
        <translation>相同 SOP 实例 UID，不同文件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="42" />
        <source>Same Study UID, different patient</source>
        <translation>相同检查 UID，不同患者</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="89" />
        <source>Every file stays reachable: the first file keeps the UID, the other is listed here. Ask the sender to correct the UIDs, then import again.</source>
        <translation>所有文件均可访问：首个文件保留该 UID，另一文件列于此处。请发送方更正 UID 后重新导入。</translation>
    </message>
</context>
<context>
    <name>DosimetryWorkspace</name>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="85" />
        <source>Dosimetry</source>
        <translation>剂量学</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="95" />
        <source>No dosimetry loaded.</source>
        <translation>未加载剂量学结果。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="98" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="116" />
        <source>Slice</source>
        <translation>层面</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="127" />
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="144" />
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="194" />
        <source>VOI</source>
        <translation>VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="127" />
        <source>Mass (g)</source>
        <translation>质量 (g)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="127" />
        <source>Activity (MBq)</source>
        <translation>活度 (MBq)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="128" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="128" />
        <source>TIA (MBq·h)</source>
        <translation>时间积分活度 (MBq·h)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="128" />
        <source>LED (Gy)</source>
        <translation>LED (Gy)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="129" />
        <source>DVK (Gy)</source>
        <translation>DVK (Gy)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="129" />
        <source>Gy/GBq</source>
        <translation>Gy/GBq</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="129" />
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="145" />
        <source>BED (Gy)</source>
        <translation>BED (Gy)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="133" />
        <source>Cycle</source>
        <translation>周期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="144" />
        <source>Dose per cycle (Gy)</source>
        <translation>各周期剂量 (Gy)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="145" />
        <source>Sum (Gy)</source>
        <translation>合计 (Gy)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="160" />
        <source>Threshold organ</source>
        <translation>阈值勾画器官</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="161" />
        <source>The region above this % of the local maximum, connected to the crosshair, on the first time point</source>
        <translation>在第一个时间点上，高于局部最大值此百分比、并与十字光标相连的区域</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="164" />
        <source>Marrow cylinder</source>
        <translation>骨髓圆柱</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="165" />
        <source>A cylinder 15 mm across and 20 mm long in the vertebral body under the crosshair</source>
        <translation>在十字光标所在椎体内放置直径 15 mm、长 20 mm 的圆柱</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="168" />
        <source>Sphere</source>
        <translation>球体</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="169" />
        <source>A drawn sphere of this radius at the crosshair</source>
        <translation>在十字光标处绘制此半径的球体</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="175" />
        <source>Organ VOI</source>
        <translation>器官 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="184" />
        <source>Registration</source>
        <translation>配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="186" />
        <source>Rigid</source>
        <translation>刚性</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="187" />
        <source>Deformable (B-spline after rigid)</source>
        <translation>形变（刚性之后的 B 样条）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="188" />
        <source>How later time points are brought onto the first: a folding or too large deformation is refused and the rigid result kept</source>
        <translation>后续时间点如何配准到第一个时间点：出现折叠或位移过大的形变将被拒绝，并保留刚性配准结果</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="223" />
        <source>Computing the dosimetry…</source>
        <translation>正在计算剂量学…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="241" />
        <source>Click the organ first (it sets the crosshair).</source>
        <translation>请先点击器官（以设置十字光标）。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="245" />
        <source>Give the organ VOI a name.</source>
        <translation>请为器官 VOI 命名。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="266" />
        <source>Adding the organ VOI {0}…</source>
        <translation>正在添加器官 VOI {0}…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="280" />
        <source>Registering again ({0})…</source>
        <translation>重新配准（{0}）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="294" />
        <source>Cycle {0} ({1})</source>
        <translation>第 {0} 周期（{1}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="317" />
        <source>Dosimetry failed: {0}</source>
        <translation>剂量学计算失败：{0}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="343" />
        <source>{0}: {1} time points, {2} VOIs, method {3}</source>
        <translation>{0}：{1} 个时间点，{2} 个 VOI，方法 {3}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/dosimetry/workspace.py" line="372" />
        <source>{0} / {1}</source>
        <translation>{0} / {1}</translation>
    </message>
</context>
<context>
    <name>FollowupLauncher</name>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="43" />
        <location filename="../../workstation/ui/followup/open_previous.py" line="59" />
        <location filename="../../workstation/ui/followup/open_previous.py" line="96" />
        <location filename="../../workstation/ui/followup/open_previous.py" line="113" />
        <source>Follow-up</source>
        <translation>随访</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="44" />
        <source>Compare with previous…</source>
        <translation>与既往检查比较…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="47" />
        <source>Also match lesions through a deformable registration</source>
        <translation>同时通过形变配准匹配病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="67" />
        <source>Open a PET study of the study database first</source>
        <translation>请先打开检查数据库中的 PET 检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="72" />
        <source>No earlier PET study of this patient in the database</source>
        <translation>数据库中没有该患者更早的 PET 检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="81" />
        <source>Compare with previous</source>
        <translation>与既往检查比较</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="82" />
        <source>Baseline study:</source>
        <translation>基线检查：</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="94" />
        <source>Follow-up reading…</source>
        <translation>随访阅片…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="94" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="103" />
        <source>Follow-up reading cancelled</source>
        <translation>随访阅片已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/open_previous.py" line="124" />
        <source>Follow-up reading: done</source>
        <translation>随访阅片：完成</translation>
    </message>
</context>
<context>
    <name>FollowupWindow</name>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="41" />
        <source>Lesion</source>
        <translation>病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="41" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="45" />
        <source>matched</source>
        <translation>已匹配</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="45" />
        <source>disappeared</source>
        <translation>消失</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="46" />
        <source>new</source>
        <translation>新发</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="47" />
        <source>complete metabolic response</source>
        <translation>完全代谢缓解</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="48" />
        <source>partial metabolic response</source>
        <translation>部分代谢缓解</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="49" />
        <source>stable metabolic disease</source>
        <translation>代谢稳定</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="50" />
        <source>progressive metabolic disease</source>
        <translation>代谢进展</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="51" />
        <source>not evaluable</source>
        <translation>不可评价</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="61" />
        <source>Follow-up reading</source>
        <translation>随访阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="77" />
        <source>Link crosshairs through the registration</source>
        <translation>按配准联动十字线</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="84" />
        <source>Accept registration</source>
        <translation>接受配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="85" />
        <source>Store this registration of the follow-up CT onto the baseline CT</source>
        <translation>保存随访 CT 到基线 CT 的此次配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="86" />
        <source>Undo registration</source>
        <translation>撤销配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="87" />
        <source>Go back to the registration stored before</source>
        <translation>恢复到之前保存的配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="88" />
        <source>Match lesions through the deformable registration</source>
        <translation>通过形变配准匹配病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="89" />
        <source>B-spline after the rigid registration, for lesion matching only; the views stay linked through the rigid registration</source>
        <translation>在刚性配准之后进行 B 样条形变配准，仅用于病灶匹配；视图仍按刚性配准联动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="101" />
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="101" />
        <source>Follow-up</source>
        <translation>随访</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="121" />
        <source>Unlink</source>
        <translation>取消关联</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="122" />
        <source>The selected matched lesion becomes disappeared + new</source>
        <translation>所选已匹配病灶拆分为“消失”和“新发”</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="123" />
        <source>Link</source>
        <translation>关联</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="124" />
        <source>Select one disappeared and one new lesion: they become one matched lesion</source>
        <translation>选择一个消失病灶和一个新发病灶：二者合并为一个已匹配病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="126" />
        <source>name of the selected lesion</source>
        <translation>所选病灶的名称</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="127" />
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="156" />
        <source>Registration: {}</source>
        <translation>配准：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="158" />
        <source>lesions matched through the deformable registration</source>
        <translation>病灶按形变配准匹配</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="164" />
        <source>Deauville: {} → {}</source>
        <translation>Deauville：{} → {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="178" />
        <source>registered (MI {:.3f}, shift {:.1f},{:.1f},{:.1f} mm, rotation {:.1f}°)</source>
        <translation>已配准（MI {:.3f}，平移 {:.1f},{:.1f},{:.1f} mm，旋转 {:.1f}°）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="181" />
        <source>given by the reader</source>
        <translation>由阅片者给定</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="196" />
        <source>within</source>
        <translation>在范围内</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="196" />
        <source>beyond</source>
        <translation>超出范围</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="236" />
        <source>stored (version {})</source>
        <translation>已保存（第 {} 版）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="238" />
        <source>scanner coordinates (no registration)</source>
        <translation>扫描仪坐标（未配准）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="240" />
        <source>not stored (no study database)</source>
        <translation>未保存（无检查数据库）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="242" />
        <source>proposed, not stored</source>
        <translation>建议配准，未保存</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="248" />
        <source>No deformable registration was computed for this reading</source>
        <translation>本次阅片未计算形变配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup/window.py" line="287" />
        <source>{} edit(s) no longer fit and were dropped</source>
        <translation>{} 项编辑已不再适用，已舍弃</translation>
    </message>
</context>
<context>
    <name>HistogramDialog</name>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="316" />
        <source>Histogram of {}</source>
        <translation>{} 的直方图</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="318" />
        <source>{} voxels   mean {:.2f}   max {:.2f} {}</source>
        <translation>{} 个体素   均值 {:.2f}   最大值 {:.2f} {}</translation>
    </message>
</context>
<context>
    <name>HistogramPlot</name>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="279" />
        <source>value ({})</source>
        <translation>数值（{}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="280" />
        <source>voxels</source>
        <translation>体素数</translation>
    </message>
</context>
<context>
    <name>ImportedResults</name>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="17" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="17" />
        <source>Segment</source>
        <translation>分割</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="18" />
        <source>VOI</source>
        <translation>感兴趣区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="18" />
        <source>SUVmax</source>
        <translation>SUVmax</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="19" />
        <source>SUVpeak</source>
        <translation>SUVpeak</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="19" />
        <source>SUVmean</source>
        <translation>SUVmean</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="20" />
        <source>MTV (mL)</source>
        <translation>MTV (mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="20" />
        <source>TLG</source>
        <translation>TLG</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="21" />
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="33" />
        <source>Imported results</source>
        <translation>导入的结果</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="36" />
        <source>No structured report imported</source>
        <translation>尚未导入结构化报告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="41" />
        <source>No RWV mapping imported</source>
        <translation>尚未导入真实值映射 (RWVM)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="54" />
        <source>{} ({} measurement groups)</source>
        <translation>{}（{} 个测量组）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="70" />
        <source>{}: maps none of the {} PET images of this reading</source>
        <translation>{}：未映射本次阅片 {} 幅 PET 图像中的任何一幅</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="73" />
        <source>agrees with ours</source>
        <translation>与本机一致</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="73" />
        <source>DIFFERS from ours</source>
        <translation>与本机不一致</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/imported_results.py" line="74" />
        <source>{}: SUV factor {:.6g} ({} of {} images), ours {:.6g}, largest difference {:.4f} %: {}</source>
        <translation>{}：SUV 因子 {:.6g}（{}/{} 幅图像），本机 {:.6g}，最大差异 {:.4f} %：{}</translation>
    </message>
</context>
<context>
    <name>LesionTable</name>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="31" />
        <source>VOI</source>
        <extracomment>(key of VoiModel.row, header, number format or None)</extracomment>
        <translation>感兴趣区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="35" />
        <source>Vol/MTV mL</source>
        <translation>体积/MTV mL</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="37" />
        <location filename="../../workstation/ui/quant/lesion_table.py" line="63" />
        <source>Activity (MBq)</source>
        <extracomment>short prefix of the quantity headers per SUV type: SUVmax, SULmax (SUVlbm), SUVbsa max, SUVibw max</extracomment>
        <translation>活度 (MBq)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="38" />
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="39" />
        <source>Thr</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="40" />
        <source>Voxels</source>
        <translation>体素数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="42" />
        <source>PERCIST ≥thr</source>
        <translation>PERCIST ≥阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="77" />
        <source>yes</source>
        <extracomment>columns hidden by default (shown from the header's context menu)</extracomment>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="77" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/lesion_table.py" line="133" />
        <source>values in {}</source>
        <extracomment>Bq/mL per unit of the VOI values (1 / SUV factor for an image in Bq/mL), for the activity column</extracomment>
        <translation>数值单位：{}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="63" />
        <source>rigid MI</source>
        <translation>刚性互信息配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="63" />
        <source>manual nudge</source>
        <translation>手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="64" />
        <source>scanner alignment</source>
        <translation>扫描仪对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="70" />
        <location filename="../../workstation/ui/reader/main_window.py" line="630" />
        <source>PET/CT workstation</source>
        <translation>PET/CT 工作站</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="92" />
        <source>SUV</source>
        <translation>标准摄取值 SUV</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="100" />
        <source>VOIs</source>
        <translation>感兴趣区 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="140" />
        <source>Reading</source>
        <translation>阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="143" />
        <source>Studies</source>
        <translation>检查列表</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="160" />
        <source>Layout</source>
        <translation>布局</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="151" />
        <location filename="../../workstation/ui/reader/main_window.py" line="472" />
        <source>CT</source>
        <translation>CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="153" />
        <location filename="../../workstation/ui/reader/main_window.py" line="474" />
        <source>PET</source>
        <translation>PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="157" />
        <source>unit of the PET/SPECT values shown in the views, the colour bar and the readout (VOI statistics stay in SUV)</source>
        <translation>视图、色标和读数中 PET/SPECT 数值的单位（VOI 统计仍为 SUV）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="164" />
        <source>Colours</source>
        <translation>伪彩</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="168" />
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="176" />
        <location filename="../../workstation/ui/reader/main_window.py" line="641" />
        <source>Play MIP</source>
        <translation>播放 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="180" />
        <source>Anonymise</source>
        <translation>匿名显示</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="184" />
        <location filename="../../workstation/ui/reader/main_window.py" line="475" />
        <source>Register PET→CT</source>
        <translation>配准 PET→CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="185" />
        <source>propose a rigid registration; nothing changes until you accept it</source>
        <translation>给出刚性配准建议；接受之前不做任何更改</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="188" />
        <location filename="../../workstation/ui/reader/main_window.py" line="753" />
        <source>Scanner alignment</source>
        <translation>扫描仪对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="189" />
        <source>show the PET as the scanners placed it (no registration); undoable</source>
        <translation>按扫描仪原始位置显示 PET（不配准）；可撤销</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="192" />
        <location filename="../../workstation/ui/reader/main_window.py" line="766" />
        <source>Undo alignment</source>
        <translation>撤销对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="193" />
        <source>go back to the previous stored alignment of this PET/CT pair</source>
        <translation>恢复此 PET/CT 组合上一次保存的对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="200" />
        <source>move the PET {} mm (x=patient left, y=posterior, z=head)</source>
        <translation>移动 PET {} mm（x=患者左侧，y=后方，z=头侧）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="205" />
        <source>SUV…</source>
        <translation>SUV…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="208" />
        <source>VOIs…</source>
        <translation>感兴趣区…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="211" />
        <source>Reconstruct…</source>
        <translation>重建…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="214" />
        <source>QA…</source>
        <translation>质控…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="225" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="226" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="240" />
        <source>DICOM node…</source>
        <translation>DICOM 节点…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="244" />
        <source>Camera calibration (dosimetry)…</source>
        <translation>相机校准（剂量学）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="246" />
        <source>Cohort</source>
        <translation>队列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="247" />
        <source>Open batch results…</source>
        <translation>打开批量结果…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="260" />
        <source>The language changes when the workstation is started again.</source>
        <translation>重新启动工作站后语言设置生效。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="270" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/load_notes.py" line="29" />
        <source>Not all files could be read: {}</source>
        <translation>部分文件无法读取：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/load_notes.py" line="31" />
        <source>(and {} more notes)</source>
        <translation>（另有 {} 条说明）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/load_notes.py" line="33" />
        <location filename="../../workstation/ui/reader/main_window.py" line="296" />
        <source>{}: done</source>
        <translation>{}：完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="288" />
        <source>{}: cancelled</source>
        <translation>{}：已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/load_notes.py" line="33" />
        <location filename="../../workstation/ui/reader/main_window.py" line="336" />
        <location filename="../../workstation/ui/reader/main_window.py" line="342" />
        <source>Loading study</source>
        <translation>正在载入检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="382" />
        <source>PET aligned with the {}</source>
        <translation>PET 已按{}对齐</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="385" />
        <source>PET and MR frames of reference differ: use 'Register PET→MR' or nudge</source>
        <translation>PET 与 MR 的参考坐标系不同：请使用“配准 PET→MR”或手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="387" />
        <source>PET and CT frames of reference differ: use 'Register PET→CT' or nudge</source>
        <translation>PET 与 CT 的参考坐标系不同：请使用“配准 PET→CT”或手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="460" />
        <source>Values now in {}: VOIs, lesions and structures re-measured</source>
        <translation>数值已改为 {}：VOI、病灶和结构已重新测量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="472" />
        <source>MR</source>
        <translation>MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="473" />
        <source>SPECT</source>
        <translation>SPECT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="475" />
        <source>Register PET→MR</source>
        <translation>配准 PET→MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="489" />
        <source>PET: {}</source>
        <translation>PET：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="542" />
        <source>next / previous slice (MIP: rotate) in the view under the mouse</source>
        <translation>鼠标所在视图的下一层 / 上一层（MIP：旋转）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="543" />
        <source>PgUp / PgDn</source>
        <translation>上翻页 / 下翻页</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="543" />
        <source>10 slices forward / back</source>
        <translation>前进 / 后退 10 层</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="544" />
        <source>zoom in / out</source>
        <translation>放大 / 缩小</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="545" />
        <source>Home</source>
        <translation>Home 键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="545" />
        <source>reset zoom and pan</source>
        <translation>重置缩放和平移</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="546" />
        <source>CT/MR window presets in the order of the tool bar</source>
        <translation>按工具栏顺序选择 CT/MR 窗宽窗位预设</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="547" />
        <source>Space</source>
        <translation>空格键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="547" />
        <source>play / pause the rotating MIP</source>
        <translation>播放 / 暂停旋转 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="548" />
        <source>undo / redo VOI edits and PET alignment changes</source>
        <translation>撤销 / 重做 VOI 编辑和 PET 配准更改</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="549" />
        <source>distance / line profile tool, histogram of the selected VOI</source>
        <translation>距离 / 线剖面工具，所选 VOI 的直方图</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="550" />
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="550" />
        <source>end the distance or profile tool</source>
        <translation>结束距离或线剖面工具</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="551" />
        <source>this list</source>
        <translation>本列表</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="557" />
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="641" />
        <source>Pause MIP</source>
        <translation>暂停 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="665" />
        <source>Registration</source>
        <translation>配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="666" />
        <source>The PET and the CT/MR do not share a frame of reference.
Register them automatically now, or align them by hand with the nudge buttons?</source>
        <translation>PET 与 CT/MR 不在同一参考坐标系中。
现在自动配准，还是用微调按钮手动对齐？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="669" />
        <source>Register now</source>
        <translation>立即配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="670" />
        <source>Nudge by hand</source>
        <translation>手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="685" />
        <source>Keeping the registration</source>
        <translation>保存配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="698" />
        <source>Moving PET</source>
        <translation>正在移动 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="717" />
        <source>Registering PET to CT</source>
        <translation>正在将 PET 配准到 CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="717" />
        <source>Registering PET to MR</source>
        <translation>正在将 PET 配准到 MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="727" />
        <source>Registration proposal rejected: alignment unchanged</source>
        <translation>已拒绝配准建议：对位未改变</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/main_window.py" line="729" />
        <source>Registration proposal: accept or reject</source>
        <translation>配准建议：请接受或拒绝</translation>
    </message>
</context>
<context>
    <name>MeasureTools</name>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="345" />
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="345" />
        <source>Line profile</source>
        <translation>线剖面</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="353" />
        <source>VOI histogram</source>
        <translation>VOI 直方图</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="357" />
        <source>End the tool</source>
        <translation>结束工具</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="361" />
        <source>Clear measurements</source>
        <translation>清除测量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="364" />
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="369" />
        <source>Measure</source>
        <translation>测量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="465" />
        <source>Distance {:.1f} mm</source>
        <translation>距离 {:.1f} mm</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="484" />
        <source>Select a VOI in the VOI table first</source>
        <translation>请先在 VOI 表中选择一个 VOI</translation>
    </message>
</context>
<context>
    <name>NodeSettingsDialog</name>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="38" />
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="38" />
        <location filename="../../workstation/ui/settings/node_settings.py" line="91" />
        <source>AE title</source>
        <translation>AE 标题</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="39" />
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="39" />
        <location filename="../../workstation/ui/settings/node_settings.py" line="92" />
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="40" />
        <source>DICOMweb URL</source>
        <translation>DICOMweb 地址</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="40" />
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="50" />
        <source>DICOM node settings</source>
        <translation>DICOM 节点设置</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="71" />
        <source>127.0.0.1 receives from this computer only; 0.0.0.0 from the network</source>
        <translation>127.0.0.1 仅接收本机发送；0.0.0.0 接收网络发送</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="73" />
        <source>default: store/ in the data folder</source>
        <translation>默认：数据文件夹中的 store/</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="74" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="82" />
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="88" />
        <source>PEM file (optional)</source>
        <translation>PEM 文件（可选）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="89" />
        <source>Our node</source>
        <translation>本机节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="93" />
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="94" />
        <location filename="../../workstation/ui/settings/node_settings.py" line="205" />
        <source>Storage folder</source>
        <translation>存储文件夹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="95" />
        <source>Largest instance</source>
        <translation>单个实例上限</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="96" />
        <source>TLS certificate</source>
        <translation>TLS 证书</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="97" />
        <source>TLS private key</source>
        <translation>TLS 私钥</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="98" />
        <source>TLS CA of callers</source>
        <translation>调用方 TLS CA 证书</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="102" />
        <location filename="../../workstation/ui/settings/node_settings.py" line="248" />
        <source>Start our node</source>
        <translation>启动本机节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="117" />
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="119" />
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="121" />
        <source>Echo</source>
        <translation>连通测试</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="127" />
        <source>Peers (they may also send to our node)</source>
        <translation>对端节点（也可向本机节点发送）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="235" />
        <source>Saved in {}</source>
        <translation>已保存至 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="243" />
        <source>Our node: {} on port {} (PID {})</source>
        <translation>本机节点：{}，端口 {}（PID {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="245" />
        <source>Stop our node</source>
        <translation>停止本机节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="247" />
        <source>Our node: not running</source>
        <translation>本机节点：未运行</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="257" />
        <source>Our node was stopped.</source>
        <translation>本机节点已停止。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="260" />
        <source>Our node {} is listening on {}:{}.</source>
        <translation>本机节点 {} 正在 {}:{} 监听。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="274" />
        <source>Select a peer first.</source>
        <translation>请先选择一个对端节点。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="284" />
        <source>{}: no AE title, host and port to echo.</source>
        <translation>{}：没有可用于 Echo 的 AE 标题、主机和端口。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="288" />
        <source>{}: C-ECHO ok</source>
        <translation>{}：C-ECHO 成功</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="289" />
        <source>{}: C-ECHO status 0x{:04X}</source>
        <translation>{}：C-ECHO 状态 0x{:04X}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/settings/node_settings.py" line="291" />
        <source>Echo {}…</source>
        <translation>正在 Echo {}…</translation>
    </message>
</context>
<context>
    <name>OutboxView</name>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="15" />
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="15" />
        <source>sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="16" />
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="17" />
        <source>waiting to retry</source>
        <translation>等待重试</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="18" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="22" />
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="22" />
        <source>Destination</source>
        <translation>目的地</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="23" />
        <source>Study</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="23" />
        <source>Content</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="24" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="24" />
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="25" />
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="25" />
        <source>Next try</source>
        <translation>下次重试</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="26" />
        <source>Bytes sent</source>
        <translation>已发送字节</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="26" />
        <source>Last error</source>
        <translation>最近错误</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="36" />
        <source>Retry now</source>
        <translation>立即重试</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="40" />
        <source>Outgoing queue</source>
        <translation>发送队列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="59" />
        <source>No outgoing queue.</source>
        <translation>没有发送队列。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/outbox_view.py" line="76" />
        <source>{} job(s): {} waiting, {} failed</source>
        <translation>{} 个任务：{} 个等待，{} 个失败</translation>
    </message>
</context>
<context>
    <name>PacsPanel</name>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="40" />
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="40" />
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="41" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="41" />
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="42" />
        <source>Modalities</source>
        <translation>模态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="42" />
        <source>Instances</source>
        <translation>图像数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="43" />
        <source>Study UID</source>
        <translation>检查 UID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="60" />
        <source>Echo</source>
        <translation>连通测试</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="63" />
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="199" />
        <source>Start our node</source>
        <translation>启动本机节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="66" />
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="72" />
        <source>Node settings…</source>
        <translation>节点设置…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="77" />
        <source>e.g. DOE^J* or 王*</source>
        <translation>例如 DOE^J* 或 王*</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="80" />
        <source>YYYYMMDD or YYYYMMDD-YYYYMMDD</source>
        <translation>YYYYMMDD 或 YYYYMMDD-YYYYMMDD</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="81" />
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="86" />
        <source>Patient name</source>
        <translation>患者姓名</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="87" />
        <source>Patient ID</source>
        <translation>患者 ID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="88" />
        <source>Study date</source>
        <translation>检查日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="97" />
        <source>Retrieve</source>
        <translation>获取</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="102" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="111" />
        <source>Arriving study</source>
        <translation>正在接收的检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="111" />
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="111" />
        <source>Last instance</source>
        <translation>最后一幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="114" />
        <source>Incoming (our node)</source>
        <translation>接收队列（本机节点）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="149" />
        <source>No DICOM nodes configured: `{}`</source>
        <translation>未配置 DICOM 节点：`{}`</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="165" />
        <source>{}: C-ECHO ok</source>
        <translation>{}：C-ECHO 成功</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="166" />
        <source>{}: C-ECHO status 0x{:04X}</source>
        <translation>{}：C-ECHO 状态 0x{:04X}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="195" />
        <source>Our node: {} on port {}</source>
        <translation>本机节点：{}，端口 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="196" />
        <source>Stop our node</source>
        <translation>停止本机节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="198" />
        <source>Our node: not running</source>
        <translation>本机节点：未运行</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="212" />
        <source>Search failed: {}</source>
        <translation>查询失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="213" />
        <source>Searching {}…</source>
        <translation>正在查询 {}…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="221" />
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="229" />
        <source>{} studies found</source>
        <translation>找到 {} 个检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="258" />
        <source>Retrieved {} instances from {}</source>
        <translation>已从 {1} 获取 {0} 幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="259" />
        <source>Retrieve failed: {}</source>
        <translation>获取失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="260" />
        <source>Retrieve cancelled</source>
        <translation>已取消获取</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="311" />
        <source>{} of {}</source>
        <translation>{}/{}</translation>
    </message>
</context>
<context>
    <name>PairDialog</name>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="74" />
        <source>Choose the series to read</source>
        <translation>选择要阅读的序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="80" />
        <source>(no PET)</source>
        <translation>（无 PET）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="80" />
        <source>(no CT/MR)</source>
        <translation>（无 CT/MR）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="97" />
        <source>CT / MR</source>
        <translation>CT / MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="115" />
        <source>Same frame of reference: fused as acquired.</source>
        <translation>参考坐标系相同：按采集位置融合。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="116" />
        <source>Different frames of reference: the reading offers automatic registration and a manual nudge.</source>
        <translation>参考坐标系不同：阅片时可自动配准或手动微调。</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="296" />
        <source>Line profile</source>
        <translation>线剖面</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="298" />
        <source>length {:.1f} mm</source>
        <translation>长度 {:.1f} mm</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="300" />
        <source>anatomy {:.0f} … {:.0f} {}</source>
        <translation>解剖图像 {:.0f} … {:.0f} {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="303" />
        <source>PET max {:.2f} {}</source>
        <translation>PET 最大值 {:.2f} {}</translation>
    </message>
</context>
<context>
    <name>ProfilePlot</name>
    <message>
        <location filename="../../workstation/ui/reader/measure_tools.py" line="253" />
        <source>distance along the line (mm)</source>
        <translation>沿线距离（mm）</translation>
    </message>
</context>
<context>
    <name>QaPanel</name>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="24" />
        <source>sphere (mm)</source>
        <translation>球直径 (mm)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="36" />
        <source>Physicist QA: NEMA IQ</source>
        <translation>物理师质控：NEMA IQ</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="49" />
        <source>Sphere:background ratio</source>
        <translation>热球与本底活度比</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="50" />
        <source>Known concentrations at the scan start (kBq/mL)</source>
        <translation>扫描开始时的已知活度浓度 (kBq/mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="60" />
        <source>Spheres (kBq/mL)</source>
        <translation>热球 (kBq/mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="61" />
        <source>Background (kBq/mL)</source>
        <translation>本底 (kBq/mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="65" />
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="68" />
        <source>NU 2 edition</source>
        <translation>NU 2 版本</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="71" />
        <source>Analyse as NEMA IQ</source>
        <translation>按 NEMA IQ 分析</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="73" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="76" />
        <source>Save report…</source>
        <translation>保存报告…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="79" />
        <source>Store in the QA log</source>
        <translation>存入质控记录</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="86" />
        <location filename="../../workstation/ui/qa/panel.py" line="138" />
        <source>No PET loaded</source>
        <translation>未载入 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="93" />
        <source>No EARL verdict for RCpeak: its EARL bands are not in the verified reference data</source>
        <translation>RCpeak 无 EARL 判定：其 EARL 标准范围不在已核实的参考数据中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="107" />
        <source>NEMA IQ</source>
        <translation>NEMA IQ</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="108" />
        <source>Uniform cylinder</source>
        <translation>均匀圆柱体模</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="109" />
        <source>Trend</source>
        <translation>趋势</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="137" />
        <source>Ready: {0}</source>
        <translation>就绪：{0}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="166" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="175" />
        <source>Analysis failed: {0}</source>
        <translation>分析失败：{0}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="186" />
        <source>pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="186" />
        <location filename="../../workstation/ui/qa/panel.py" line="194" />
        <source>FAIL</source>
        <translation>不通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="194" />
        <source>PASS</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="195" />
        <source>EARL1 {0} · EARL2 {1} · background CoV {2:.2f} % · lung residual {3:.2f} %</source>
        <translation>EARL1 {0} · EARL2 {1} · 本底变异系数 {2:.2f} % · 肺插件残余误差 {3:.2f} %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="198" />
        <source>NU 2-{0}; {1}</source>
        <translation>NU 2-{0}；{1}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="198" />
        <source>no warnings</source>
        <translation>无警告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="213" />
        <source>Stored in the QA log</source>
        <translation>已存入质控记录</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="225" />
        <source>Save QA report</source>
        <translation>保存质控报告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/panel.py" line="232" />
        <source>QA report</source>
        <translation>质控报告</translation>
    </message>
</context>
<context>
    <name>ReadingPersistence</name>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="46" />
        <source>DICOM SEG (segments)…</source>
        <translation>DICOM SEG（分割）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="47" />
        <source>DICOM SR measurement report…</source>
        <translation>DICOM SR 测量报告…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="48" />
        <source>DICOM RWVM (SUV factor)…</source>
        <translation>DICOM RWVM（SUV 转换系数）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="49" />
        <source>Key images (secondary capture)…</source>
        <translation>关键图像（二次采集）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="50" />
        <source>PDF report…</source>
        <translation>PDF 报告…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="51" />
        <source>Everything into a folder (SEG, SR, RWVM, key images, PDF)…</source>
        <translation>全部导出到文件夹（SEG、SR、RWVM、关键图像、PDF）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="90" />
        <source>&amp;Reading</source>
        <translation>阅片(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="91" />
        <source>&amp;Save reading</source>
        <translation>保存阅片(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="94" />
        <source>&amp;Revert to saved</source>
        <translation>恢复到已保存(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="96" />
        <source>&amp;Undo restore / discard</source>
        <translation>撤销恢复/放弃(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="102" />
        <source>&amp;Import DICOM SEG as VOIs…</source>
        <translation>导入 DICOM SEG 为感兴趣区(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="105" />
        <source>Import DICOM SR / RWVM…</source>
        <translation>导入 DICOM SR / RWVM…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="108" />
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="171" />
        <source>Unsaved reading</source>
        <translation>未保存的阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="172" />
        <source>This reading has unsaved changes from {} (autosave). Restore them, or discard them and keep the reading as stored?</source>
        <translation>本次阅片有 {} 的未保存更改（自动保存）。恢复这些更改，还是放弃并保留已存储的阅片？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="176" />
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="177" />
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="181" />
        <source>Unsaved changes from {} (autosave): restore or discard?</source>
        <translation>{} 的未保存更改（自动保存）：恢复还是放弃？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="214" />
        <source>Reading restored: unsaved changes from {} (autosave)</source>
        <translation>已恢复阅片：{} 的未保存更改（自动保存）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="215" />
        <source>Reading restored (saved {})</source>
        <translation>已恢复阅片（保存于 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="222" />
        <source>Unsaved changes discarded (Reading › Undo restore / discard brings them back)</source>
        <translation>已放弃未保存的更改（阅片 › 撤销恢复/放弃 可找回）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="237" />
        <source>Restore undone</source>
        <translation>已撤销恢复</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="275" />
        <source>Restoring the registration</source>
        <translation>正在恢复配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="301" />
        <source>Reading saved</source>
        <translation>阅片已保存</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="311" />
        <source>Reverted to the saved reading</source>
        <translation>已恢复到保存的阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="312" />
        <source>Reverted to the reading as opened</source>
        <translation>已恢复到打开时的阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="316" />
        <source>Import DICOM SEG</source>
        <translation>导入 DICOM SEG</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="316" />
        <location filename="../../workstation/ui/reader/reading_menu.py" line="339" />
        <source>DICOM (*.dcm);;All files (*)</source>
        <translation>DICOM (*.dcm);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="338" />
        <source>Import DICOM SR / RWVM</source>
        <translation>导入 DICOM SR / RWVM</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="357" />
        <source>Import: {} is not a readable DICOM file ({})</source>
        <translation>导入：{} 不是可读取的 DICOM 文件（{}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="368" />
        <source>Imported {} measurement group(s) from the SR</source>
        <translation>已从 SR 导入 {} 个测量组</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="372" />
        <source>Comparing a RWVM needs a PET reading with SUV</source>
        <translation>比较 RWVM 需要有 SUV 的 PET 阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="379" />
        <source>Import: {} is neither a structured report nor a RWV mapping (modality {})</source>
        <translation>导入：{} 既不是结构化报告也不是真实值映射（模态 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="383" />
        <source>Import: {}</source>
        <translation>导入：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="392" />
        <source>Export everything into a folder</source>
        <translation>全部导出到文件夹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="395" />
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="408" />
        <source>Export needs a PET reading</source>
        <translation>导出需要 PET 阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="411" />
        <source>Export needs SUV: complete the SUV inputs in the SUV panel first</source>
        <translation>导出需要 SUV：请先在 SUV 面板中补全 SUV 参数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="443" />
        <source>Exported {}</source>
        <translation>已导出 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/reading_menu.py" line="445" />
        <source>Export {}</source>
        <translation>导出 {}</translation>
    </message>
</context>
<context>
    <name>ReconPanel</name>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="59" />
        <source>scheduled</source>
        <translation>已排队</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="59" />
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="60" />
        <source>cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="60" />
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="61" />
        <source>completing</source>
        <translation>即将完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="61" />
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="62" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="131" />
        <source>raw data file (e.g. PETSIRD list-mode)</source>
        <translation>原始数据文件（如 PETSIRD 列表模式）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="132" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="138" />
        <source>Plugin</source>
        <translation>插件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="140" />
        <location filename="../../workstation/ui/recon/panel.py" line="312" />
        <source>Raw data</source>
        <translation>原始数据</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="145" />
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="148" />
        <source>SUV facts (blank: from the study's PET / CT headers or the raw data)</source>
        <translation>SUV 参数（留空：取自本检查 PET / CT 文件头或原始数据）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="154" />
        <location filename="../../workstation/ui/recon/panel.py" line="159" />
        <source>from headers</source>
        <translation>取自文件头</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="165" />
        <source>Injected dose</source>
        <extracomment>SUV fact (``recon.publish.SuvFacts`` field) -&gt; (form label, widget)</extracomment>
        <translation>注射剂量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="166" />
        <source>Injection time</source>
        <translation>注射时间</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="167" />
        <source>Acquisition start</source>
        <translation>采集开始</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="168" />
        <source>Weight</source>
        <translation>体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="173" />
        <source>Reconstruct</source>
        <translation>重建</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="176" />
        <source>Reconstruct and analyse as NEMA IQ</source>
        <translation>重建并按 NEMA IQ 分析</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="178" />
        <source>for phantom data: write the result as a PET series of its own study and open the physicist QA panel on it (NEMA IEC body phantom, EARL bands)</source>
        <translation>用于模体数据：将结果写为独立检查中的 PET 序列，并在其上打开物理师质控面板（NEMA IEC 人体模体，EARL 范围）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="181" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="197" />
        <source>latest iteration: central slice | MIP</source>
        <translation>最近一次迭代：中心层 | MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="211" />
        <source>{} — broken</source>
        <translation>{} — 已损坏</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="218" />
        <source>{}: unavailable — {}</source>
        <translation>{}：不可用 — {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="248" />
        <source>no usable reconstruction plugin installed</source>
        <translation>未安装可用的重建插件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="312" />
        <source>PETSIRD (*.petsird *.bin);;All files (*)</source>
        <translation>PETSIRD (*.petsird *.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="388" />
        <source>{}: preparing the inputs…</source>
        <translation>{}：正在准备输入…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="404" />
        <source>{}: scheduled (job {})</source>
        <translation>{}：已排队（任务 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="411" />
        <location filename="../../workstation/ui/recon/panel.py" line="414" />
        <source>cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="434" />
        <source>iteration {}: central slice | MIP</source>
        <translation>第 {} 次迭代：中心层 | MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="436" />
        <source>preview of iteration {} unreadable: {}</source>
        <translation>第 {} 次迭代的预览无法读取：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="449" />
        <source>reconstruction failed: {}</source>
        <translation>重建失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="463" />
        <source>reconstruction completed; open a study with a CT to write it into (result kept in {})</source>
        <translation>重建完成；请打开含 CT 的检查以写入（结果保存在 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="505" />
        <source>writing the PET series into the study…</source>
        <translation>正在将 PET 序列写入检查…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="510" />
        <location filename="../../workstation/ui/recon/panel.py" line="538" />
        <source>publishing cancelled</source>
        <translation>写入已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="534" />
        <source>writing the PET series for QA…</source>
        <translation>正在写入用于质控的 PET 序列…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="548" />
        <source>written as PET series …{} of its own study ({} slices); NEMA IQ analysis started in the QA panel</source>
        <translation>已写为独立检查中的 PET 序列 …{}（{} 层）；已在质控面板中开始 NEMA IQ 分析</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="569" />
        <source>written as PET series …{} in the CT's study ({} slices); opened fused with the CT</source>
        <translation>已写入 CT 所在检查的 PET 序列 …{}（{} 层）；已与 CT 融合打开</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="590" />
        <source>(result kept in {})</source>
        <translation>（结果保存在 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="591" />
        <source>reconstruction completed but not written: {}</source>
        <translation>重建完成但未写入：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon/panel.py" line="609" />
        <source>Reconstruction</source>
        <translation>重建</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="30" />
        <source>Mattes mutual information</source>
        <translation>Mattes 互信息</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="31" />
        <source>scanner alignment (identity)</source>
        <translation>扫描仪对位（恒等变换）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="32" />
        <source>image centres</source>
        <translation>图像中心</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="33" />
        <source>intensity moments</source>
        <translation>强度矩</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="34" />
        <source>current alignment</source>
        <translation>当前对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="35" />
        <source>the proposed alignment leaves no overlap between the PET and the anatomical image</source>
        <translation>建议的对位使 PET 与解剖图像没有重叠</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="37" />
        <source>the metric did not improve; keep the current alignment</source>
        <translation>相似性度量未改善；请保持当前对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="47" />
        <source>Registration proposal</source>
        <translation>配准建议</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="54" />
        <source>Start: {}; shared frame of reference.</source>
        <translation>初始：{}；共用参考坐标系。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="55" />
        <source>Start: {}; different frame of reference.</source>
        <translation>初始：{}；参考坐标系不同。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="57" />
        <source>The PET centre would move {:.1f} mm, rotation {:.1f}°.</source>
        <translation>PET 中心将移动 {:.1f} mm，旋转 {:.1f}°。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="58" />
        <source>{}: {:.4f} → {:.4f} (lower is better).</source>
        <translation>{}：{:.4f} → {:.4f}（越低越好）。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="71" />
        <source>Now (checkerboard)</source>
        <translation>当前（棋盘格）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="72" />
        <source>Proposed (checkerboard)</source>
        <translation>建议（棋盘格）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="78" />
        <source>Blend instead of checkerboard</source>
        <translation>以混合代替棋盘格显示</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="83" />
        <source>The images show a real misalignment: move the PET by {:.1f} mm / {:.1f}° although PET and anatomy share a frame of reference</source>
        <translation>图像确实存在错位：尽管 PET 与解剖图像共用参考坐标系，仍将 PET 移动 {:.1f} mm / {:.1f}°</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="89" />
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/registration_dialog.py" line="90" />
        <source>Reject (keep current alignment)</source>
        <translation>拒绝（保持当前对位）</translation>
    </message>
</context>
<context>
    <name>SendDialog</name>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="322" />
        <source>Send to a DICOM node</source>
        <translation>发送到 DICOM 节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="332" />
        <source>{} instances of the series</source>
        <translation>该序列的 {} 幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="333" />
        <source>{} instances of the study</source>
        <translation>该检查的 {} 幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="338" />
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="343" />
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="364" />
        <source>Nothing to send, or no node configured.</source>
        <translation>没有可发送的内容，或未配置节点。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="371" />
        <source>Sent {} of {} to {}</source>
        <translation>已发送 {}/{} 到 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="372" />
        <source>; {} failed</source>
        <translation>；{} 个失败</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="373" />
        <source>Send failed: {}</source>
        <translation>发送失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/pacs_panel.py" line="374" />
        <source>Send cancelled</source>
        <translation>已取消发送</translation>
    </message>
</context>
<context>
    <name>SignAndSend</name>
    <message>
        <location filename="../../workstation/ui/worklist/reader_hook.py" line="33" />
        <source>Sign and send…</source>
        <translation>签发并回传…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/reader_hook.py" line="52" />
        <source>Sign and send needs the study database and a study read from it</source>
        <translation>签发并回传需要检查数据库及从中打开的检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/reader_hook.py" line="58" />
        <source>This study is not on the worklist</source>
        <translation>此检查不在阅片工作列表中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/reader_hook.py" line="61" />
        <source>Open the study for reporting in the Worklist tab first</source>
        <translation>请先在阅片工作列表中打开该检查书写报告</translation>
    </message>
</context>
<context>
    <name>SignSendDialog</name>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="17" />
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="50" />
        <source>Sign and send</source>
        <translation>签发并回传</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="24" />
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="34" />
        <source>Add attachments…</source>
        <translation>添加附件…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="38" />
        <source>Study</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="39" />
        <source>Reader</source>
        <translation>阅片医师</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="40" />
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="40" />
        <source>{} (amends version {})</source>
        <translation>{}（修订第 {} 版）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="42" />
        <source>Send back to</source>
        <translation>回传至</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="43" />
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="59" />
        <source>Report PDF</source>
        <translation>报告 PDF</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="44" />
        <source>Hospital</source>
        <translation>医院</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="45" />
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="64" />
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/sign_dialog.py" line="73" />
        <source>Choose the report PDF first.</source>
        <translation>请先选择报告 PDF。</translation>
    </message>
</context>
<context>
    <name>StructuresList</name>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="94" />
        <source>Structure</source>
        <translation>结构</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="94" />
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="94" />
        <source>Volume (mL)</source>
        <translation>体积 (mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="72" />
        <source>Measure</source>
        <translation>测量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="73" />
        <source>fill the chosen structures on the PET grid and add them as VOIs with their statistics</source>
        <translation>将所选结构填充到 PET 网格上，并作为 VOI 添加及其统计值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="76" />
        <location filename="../../workstation/ui/quant/structures_list.py" line="136" />
        <source>No study structures.</source>
        <translation>无检查结构。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="83" />
        <source>Study structures</source>
        <translation>检查结构</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="147" />
        <source>Looking for structures…</source>
        <translation>正在查找结构…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="150" />
        <source>Structures not listed: {}</source>
        <translation>未能列出结构：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="157" />
        <source>{} structure(s) in this study</source>
        <translation>本检查有 {} 个结构</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="158" />
        <source>No structures in this study.</source>
        <translation>本检查无结构。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="160" />
        <source>Not read: {}</source>
        <translation>未读取：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="204" />
        <source>Measuring {} structure(s)…</source>
        <translation>正在测量 {} 个结构…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/structures_list.py" line="220" />
        <source>{} structure(s) measured</source>
        <translation>已测量 {} 个结构</translation>
    </message>
</context>
<context>
    <name>StudyBrowser</name>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="64" />
        <source>(no description)</source>
        <translation>（无描述）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="65" />
        <location filename="../../workstation/ui/browser/study_browser.py" line="236" />
        <source>{} slices</source>
        <translation>{} 层</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="130" />
        <source>Patient / series</source>
        <translation>患者 / 序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="130" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="130" />
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="131" />
        <source>Modalities / slices</source>
        <translation>模态 / 层数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="131" />
        <source>Series / FoR</source>
        <translation>序列 / 参考坐标系</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="134" />
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="136" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="138" />
        <source>Read study</source>
        <translation>阅读检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="140" />
        <source>Send to node…</source>
        <translation>发送到节点…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="142" />
        <source>Conflicts…</source>
        <translation>UID 冲突…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="144" />
        <source>Copy diagnostics</source>
        <translation>复制诊断信息</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="149" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="170" />
        <source>Local</source>
        <translation>本地</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="174" />
        <source>Worklist</source>
        <translation>阅片工作列表</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="223" />
        <source>No study database.</source>
        <translation>没有检查数据库。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="228" />
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="229" />
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="231" />
        <source>{} series</source>
        <translation>{} 个序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="245" />
        <source>{} studies</source>
        <translation>{} 个检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="305" />
        <source>Import DICOM folder</source>
        <translation>导入 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="313" />
        <source>Imported: {}</source>
        <translation>已导入：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="314" />
        <source>Import failed: {}</source>
        <translation>导入失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/study_browser.py" line="315" />
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="61" />
        <source>{} · {} UID conflict(s)</source>
        <translation>{} · {} 个 UID 冲突</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="63" />
        <source>UID conflicts (Conflicts… lists the files):</source>
        <translation>UID 冲突（“UID 冲突…”列出相关文件）：</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="109" />
        <source>UID conflicts of the selected study</source>
        <translation>所选检查的 UID 冲突</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="112" />
        <source>UID conflicts</source>
        <translation>UID 冲突</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="114" />
        <source>No UID conflicts.</source>
        <translation>没有 UID 冲突。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser/diagnostics.py" line="125" />
        <source>Diagnostics copied to the clipboard (versions and the end of the log, no patient data).</source>
        <translation>诊断信息已复制到剪贴板（版本信息和日志末尾，不含患者数据）。</translation>
    </message>
</context>
<context>
    <name>SuvPanel</name>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="32" />
        <source>Weight (kg)</source>
        <translation>体重 (kg)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="32" />
        <source>Height (m)</source>
        <translation>身高 (m)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="33" />
        <source>Sex (M/F)</source>
        <translation>性别 (M/F)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="33" />
        <source>Injected dose (Bq)</source>
        <translation>注射剂量 (Bq)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="34" />
        <source>Injection time (YYYY-MM-DDTHH:MM:SS)</source>
        <translation>注射时间 (YYYY-MM-DDTHH:MM:SS)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="35" />
        <source>Half-life (s)</source>
        <translation>半衰期 (s)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="37" />
        <source>body weight</source>
        <translation>体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="38" />
        <source>lean body mass (James, 128)</source>
        <translation>瘦体重（James，128）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="39" />
        <source>lean body mass (James, 120)</source>
        <translation>瘦体重（James，120）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="40" />
        <source>lean body mass (Janmahasatian)</source>
        <translation>瘦体重（Janmahasatian）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="41" />
        <source>body surface area</source>
        <translation>体表面积</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="42" />
        <source>ideal body weight</source>
        <translation>理想体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="69" />
        <source>reason for the override (required)</source>
        <translation>修改原因（必填）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="70" />
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="79" />
        <source>The patient's sex is unknown: this SUV type used the mean of the male and female values. Click to give the sex.</source>
        <translation>患者性别未知：此 SUV 类型采用了男性和女性数值的平均值。点击填写性别。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="85" />
        <source>SUV type</source>
        <translation>SUV 类型</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="88" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="91" />
        <source>Provenance</source>
        <translation>数据来源</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="96" />
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="114" />
        <source>No PET loaded.</source>
        <translation>未载入 PET。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="119" />
        <source>PET stored as {}: factor 1</source>
        <translation>PET 以 {} 存储：系数 1</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="121" />
        <source>SUV not available; PET shown in {}.</source>
        <translation>无法计算 SUV；PET 以 {} 显示。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="121" />
        <source>file units</source>
        <translation>文件单位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="141" />
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="142" />
        <source>⚠ Sex unknown ({}): SUV{} uses the mean of male and female</source>
        <translation>⚠ 性别未知（{}）：SUV{} 采用男女平均值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="174" />
        <source>An override needs a reason (it is written to the audit trail).</source>
        <translation>修改需要填写原因（将写入审计记录）。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="189" />
        <source>Refused: {}</source>
        <translation>已拒绝：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="192" />
        <source>Applied.</source>
        <translation>已应用。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/suv_panel.py" line="193" />
        <source>SUV unavailable: {}</source>
        <translation>SUV 不可用：{}</translation>
    </message>
</context>
<context>
    <name>ToolbarOverflow</name>
    <message>
        <location filename="../../workstation/ui/reader/toolbar_overflow.py" line="41" />
        <source>More ▾</source>
        <translation>更多 ▾</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/toolbar_overflow.py" line="42" />
        <source>toolbar items that do not fit in the window</source>
        <translation>窗口中放不下的工具栏项目</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/toolbar_overflow.py" line="90" />
        <source>(every tool is shown)</source>
        <translation>（所有工具均已显示）</translation>
    </message>
</context>
<context>
    <name>TrendPlot</name>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="74" />
        <source>No stored QA results with this metric</source>
        <translation>没有该指标的已存质控结果</translation>
    </message>
</context>
<context>
    <name>TrendView</name>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="145" />
        <source>NEMA IQ</source>
        <translation>NEMA IQ</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="146" />
        <source>Uniform cylinder</source>
        <translation>均匀圆柱体模</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="152" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="154" />
        <source>QA</source>
        <translation>质控</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="155" />
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="156" />
        <source>Bands</source>
        <translation>标准范围</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="157" />
        <source>Scanner</source>
        <translation>扫描仪</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/trend.py" line="184" />
        <source>all scanners</source>
        <translation>全部扫描仪</translation>
    </message>
</context>
<context>
    <name>UndoController</name>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="44" />
        <location filename="../../workstation/ui/reader/undo.py" line="119" />
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="48" />
        <location filename="../../workstation/ui/reader/undo.py" line="120" />
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="52" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="96" />
        <source>Moving PET</source>
        <translation>正在移动 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="105" />
        <source>Undone: {}</source>
        <translation>已撤销：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="112" />
        <source>Redone: {}</source>
        <translation>已重做：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="119" />
        <source>Undo {}</source>
        <translation>撤销{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="120" />
        <source>Redo {}</source>
        <translation>重做{}</translation>
    </message>
</context>
<context>
    <name>UniformityTab</name>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="17" />
        <source>slice z (mm)</source>
        <translation>层面 z (mm)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="17" />
        <source>mean SUV</source>
        <translation>平均 SUV</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="18" />
        <source>CoV (%)</source>
        <translation>变异系数 (%)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="33" />
        <source>Analyse as uniform cylinder (SUVbw)</source>
        <translation>按均匀圆柱体模分析 (SUVbw)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="35" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="38" />
        <source>Store in the QA log</source>
        <translation>存入质控记录</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="41" />
        <source>Save report…</source>
        <translation>保存报告…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="49" />
        <location filename="../../workstation/ui/qa/uniformity.py" line="71" />
        <source>No PET loaded</source>
        <translation>未载入 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="70" />
        <source>Ready: {0}</source>
        <translation>就绪：{0}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="82" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="92" />
        <source>Analysis failed: {0}</source>
        <translation>分析失败：{0}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="102" />
        <source>PASS</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="102" />
        <source>FAIL</source>
        <translation>不通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="103" />
        <source>Mean {0:.4f} {1} ({2:+.2f} %, tolerance ±10 %): {3} · CoV per slice {4:.2f}–{5:.2f} % · largest slice deviation {6:.2f} %</source>
        <translation>平均值 {0:.4f} {1}（{2:+.2f} %，容差 ±10 %）：{3} · 各层面变异系数 {4:.2f}–{5:.2f} % · 最大层面偏差 {6:.2f} %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="108" />
        <source>no warnings</source>
        <translation>无警告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="128" />
        <source>Save QA report</source>
        <translation>保存质控报告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="135" />
        <source>QA report</source>
        <translation>质控报告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa/uniformity.py" line="147" />
        <source>Stored in the QA log</source>
        <translation>已存入质控记录</translation>
    </message>
</context>
<context>
    <name>VoiPanel</name>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="67" />
        <source>Navigate</source>
        <translation>浏览</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="67" />
        <source>Sphere</source>
        <translation>球形</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="68" />
        <source>Box</source>
        <translation>方框</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="68" />
        <source>Segment</source>
        <translation>分割</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="69" />
        <source>Liver ref</source>
        <translation>肝脏参考</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="69" />
        <source>Blood pool</source>
        <translation>血池</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="125" />
        <source>SUV for 'fixed SUV (user)', percent for '% of SUVmax (user)'</source>
        <translation>“固定 SUV（自定义）”时为 SUV，“SUVmax 百分比（自定义）”时为百分比</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="141" />
        <source>exclude brain and bladder</source>
        <translation>排除脑和膀胱</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="142" />
        <source>whole body: leave out the organs found by the brain/bladder rules (the default)</source>
        <translation>全身：排除按脑/膀胱规则识别的器官（默认）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="150" />
        <source>a clicked lesion grows only inside a sphere of this radius around the click; reaching it stops the segmentation with a warning</source>
        <translation>点击的病灶只在以点击处为中心、此半径的球内生长；到达边界时停止分割并给出警告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="153" />
        <source>Delete VOI</source>
        <translation>删除感兴趣区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="155" />
        <location filename="../../workstation/ui/quant/voi_panel.py" line="538" />
        <source>Whole body</source>
        <translation>全身检测</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="156" />
        <source>detect every lesion with the chosen method</source>
        <translation>用所选方法检测全部病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="158" />
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="160" />
        <source>Structures…</source>
        <translation>结构…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="161" />
        <source>load the structures of a DICOM SEG or RTSTRUCT file as VOIs</source>
        <translation>将 DICOM SEG 或 RTSTRUCT 文件中的结构载入为 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="168" />
        <location filename="../../workstation/ui/quant/voi_panel.py" line="455" />
        <source>Enlarge constraint</source>
        <translation>扩大约束范围</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="171" />
        <source>Reset constraint</source>
        <translation>重置约束范围</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="173" />
        <source>back to the default constraint radius</source>
        <translation>恢复默认约束半径</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="185" />
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="186" />
        <source>User value</source>
        <translation>自定义值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="190" />
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="191" />
        <source>Sphere radius</source>
        <translation>球半径</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="192" />
        <source>Constraint radius</source>
        <translation>约束半径</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="193" />
        <source>Min. volume</source>
        <translation>最小体积</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="375" />
        <source>sphere VOI {}: radius {:.1f} mm</source>
        <translation>球形感兴趣区 {}：半径 {:.1f} mm</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="395" />
        <source>{}: mean {:.2f} SD {:.2f} {}</source>
        <translation>{}：均值 {:.2f} 标准差 {:.2f} {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="430" />
        <source>segmenting ({})…</source>
        <translation>正在分割（{}）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="448" />
        <source>⚠ nothing measured: {}</source>
        <translation>⚠ 未测量：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="454" />
        <source>Enlarge constraint to {:g} mm</source>
        <translation>将约束范围扩大到 {:g} mm</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="461" />
        <source>The region that grew is outlined in {} (a colour no structure on screen uses); drag the amber circle's rim to resize the constraint, or its centre to move it.</source>
        <translation>生长出的区域以{}勾画（屏幕上的结构均未使用此颜色）；拖动琥珀色圆圈的边缘可调整约束范围，拖动其中心可移动约束。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="472" />
        <source>{}: {}, threshold {:.2f} {}, {:.2f} mL, SUVmax {:.2f}</source>
        <translation>{}：{}，阈值 {:.2f} {}，{:.2f} mL，SUVmax {:.2f}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="501" />
        <source>constraint reset to {:g} mm</source>
        <translation>约束范围已重置为 {:g} mm</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="509" />
        <source>whole body: cancelled</source>
        <translation>全身检测：已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="532" />
        <source>whole-body detection ({})…</source>
        <translation>正在全身检测（{}）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="533" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="541" />
        <source>whole body: {} {:.0f} %</source>
        <translation>全身检测：{} {:.0f} %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="552" />
        <source>; excluded {}</source>
        <translation>；已排除 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="555" />
        <source>; looked for {}, none found</source>
        <translation>；已查找 {}，未找到</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="558" />
        <source>; nothing excluded</source>
        <translation>；未排除任何器官</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="561" />
        <source>; warning: {}</source>
        <translation>；警告：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="562" />
        <source>whole body: {} lesions</source>
        <translation>全身检测：{} 个病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="608" />
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="661" />
        <source>Load structures (DICOM SEG or RTSTRUCT)</source>
        <translation>载入结构（DICOM SEG 或 RTSTRUCT）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="662" />
        <source>DICOM files (*.dcm *);;All files (*)</source>
        <translation>DICOM 文件 (*.dcm *);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="671" />
        <source>Structures not loaded: {}</source>
        <translation>未载入结构：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="676" />
        <source>Loaded {} structure(s) from {}: </source>
        <translation>已从 {1} 载入 {0} 个结构：</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="685" />
        <source>Export VOIs as CSV</source>
        <translation>将感兴趣区导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="685" />
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="695" />
        <source>Overwrite?</source>
        <translation>覆盖？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="695" />
        <source>{} already exists. Replace it?</source>
        <translation>{} 已存在，是否替换？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="699" />
        <source>Not exported: the file exists and was kept.</source>
        <translation>未导出：文件已存在并被保留。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="704" />
        <location filename="../../workstation/ui/quant/voi_panel.py" line="707" />
        <source>Not exported: {}</source>
        <translation>未导出：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="710" />
        <source>Exported {} VOIs to {}</source>
        <translation>已将 {} 个感兴趣区导出到 {}</translation>
    </message>
</context>
<context>
    <name>WorklistPanel</name>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="23" />
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="23" />
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="24" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="24" />
        <source>Arrived</source>
        <translation>到达时间</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="25" />
        <source>From</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="25" />
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="26" />
        <source>Tracer</source>
        <translation>显像剂</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="26" />
        <source>Reader</source>
        <translation>阅片医师</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="27" />
        <source>Study UID</source>
        <translation>检查 UID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="29" />
        <source>new</source>
        <translation>新到达</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="29" />
        <source>being read</source>
        <translation>阅片中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="30" />
        <source>reported</source>
        <translation>已出报告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="30" />
        <source>sent back</source>
        <translation>已回传</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="31" />
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="31" />
        <source>stat</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="32" />
        <source>urgent</source>
        <translation>加急</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="32" />
        <source>routine</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="46" />
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="51" />
        <source>From (AE title or host)</source>
        <translation>来源（AE 名称或主机）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="53" />
        <source>Open for reporting</source>
        <translation>打开并书写报告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="55" />
        <source>Release</source>
        <translation>释放</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="57" />
        <source>Sign and send…</source>
        <translation>签发并回传…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="68" />
        <source>Reader: {}</source>
        <translation>阅片医师：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="116" />
        <source>{} (since {})</source>
        <translation>{}（自 {} 起）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="117" />
        <source>(patient hidden)</source>
        <translation>（已隐藏患者信息）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="130" />
        <source>{} studies, {} new</source>
        <translation>{} 个检查，{} 个新到达</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="157" />
        <source>Being read by {} since {}.</source>
        <translation>{} 自 {} 起正在阅片。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="162" />
        <source>You are reading this study.</source>
        <translation>您正在阅读此检查。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="185" />
        <source>Open the study for reporting first.</source>
        <translation>请先打开该检查书写报告。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/worklist/panel.py" line="193" />
        <source>Report version {} signed and queued.</source>
        <translation>报告第 {} 版已签发并加入发送队列。</translation>
    </message>
</context>
<context>
    <name>colours</name>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="37" />
        <source>green</source>
        <extracomment>Outline colours (RGB 0..1). Lesion colours cycle; references have their own. leak outline candidates, in order of preference, with their names (context "colours")</extracomment>
        <translation>绿色</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="38" />
        <source>white</source>
        <translation>白色</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="39" />
        <source>red</source>
        <translation>红色</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="40" />
        <source>violet</source>
        <translation>紫色</translation>
    </message>
</context>
<context>
    <name>methods</name>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="19" />
        <source>fixed SUV 2.5</source>
        <extracomment>The segmentation choices of the viewer: label -&gt; method template ({v} = the user value). The English label is the choice's identity; the menu shows its translation (context "methods").</extracomment>
        <translation>固定 SUV 2.5</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="20" />
        <source>fixed SUV (user)</source>
        <translation>固定 SUV（自定义）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="21" />
        <source>41 % of SUVmax</source>
        <translation>SUVmax 的 41 %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="22" />
        <source>50 % of SUVmax</source>
        <translation>SUVmax 的 50 %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="23" />
        <source>% of SUVmax (user)</source>
        <translation>SUVmax 百分比（自定义）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="24" />
        <source>PERCIST (liver)</source>
        <translation>PERCIST（肝脏参考）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="25" />
        <source>A50 (background-adapted)</source>
        <translation>A50（本底自适应）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_style.py" line="26" />
        <source>gradient edge (outermost fall)</source>
        <translation>梯度边缘（最外侧下降沿）</translation>
    </message>
</context>
<context>
    <name>names</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="111" />
        <source>grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="111" />
        <source>fused-mip</source>
        <translation>融合 + MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="111" />
        <source>pet</source>
        <translation>PET 协议</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="112" />
        <source>MR auto</source>
        <translation>MR 自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="112" />
        <source>T1</source>
        <translation>T1</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="112" />
        <source>T2</source>
        <translation>T2</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="113" />
        <source>soft tissue</source>
        <translation>软组织</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="113" />
        <source>lung</source>
        <translation>肺窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="114" />
        <source>bone</source>
        <translation>骨窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="114" />
        <source>brain</source>
        <translation>脑窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="115" />
        <source>liver</source>
        <translation>肝脏</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="116" />
        <source>SUV 0-5</source>
        <translation>SUV 0-5</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="116" />
        <source>SUV 0-10</source>
        <translation>SUV 0-10</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117" />
        <source>SUV 0-15</source>
        <translation>SUV 0-15</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117" />
        <source>custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117" />
        <source>hot spot</source>
        <translation>热点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="118" />
        <source>hot iron</source>
        <translation>热铁</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="118" />
        <source>rainbow</source>
        <translation>彩虹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="119" />
        <source>grey</source>
        <translation>灰阶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="119" />
        <source>inverted grey</source>
        <translation>反相灰阶</translation>
    </message>
</context>
<context>
    <name>organs</name>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="66" />
        <source>brain</source>
        <translation>脑</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/quant/voi_panel.py" line="66" />
        <source>bladder</source>
        <translation>膀胱</translation>
    </message>
</context>
<context>
    <name>overlay</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="129" />
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="129" />
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="130" />
        <source>Study</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="130" />
        <source>sex unknown: M/F mean</source>
        <translation>性别未知：取男女均值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="131" />
        <source>p.i.</source>
        <translation>注射后</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="131" />
        <source>injection after scan!</source>
        <translation>注射时间晚于扫描！</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="132" />
        <source>decay: {} but DecayFactor {:.3g} (expected {:.3g}): read as at the scan</source>
        <translation>衰减：{}，但 DecayFactor 为 {:.3g}（应为 {:.3g}）：按扫描时刻读取</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="133" />
        <source>decay: {} but DecayFactor {:.3g} (expected {:.3g}): DecayFactor trusted</source>
        <translation>衰减：{}，但 DecayFactor 为 {:.3g}（应为 {:.3g}）：采用 DecayFactor</translation>
    </message>
</context>
<context>
    <name>render</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="124" />
        <source>CT</source>
        <translation>CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="124" />
        <source>PET</source>
        <translation>PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="124" />
        <source>Fused</source>
        <translation>融合</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="125" />
        <source>MR</source>
        <translation>MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="125" />
        <source>SPECT</source>
        <translation>SPECT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="126" />
        <source>axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="126" />
        <source>coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="127" />
        <source>sagittal</source>
        <translation>矢状位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="127" />
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="128" />
        <source>axi</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="128" />
        <source>cor</source>
        <translation>冠状</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="128" />
        <source>sag</source>
        <translation>矢状</translation>
    </message>
</context>
<context>
    <name>undo</name>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="24" />
        <source>add VOI</source>
        <translation>添加 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="24" />
        <source>delete VOI</source>
        <translation>删除 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="25" />
        <source>change VOI</source>
        <translation>修改 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="25" />
        <source>rename VOI</source>
        <translation>重命名 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="26" />
        <source>edit VOIs</source>
        <translation>编辑 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="26" />
        <source>accept registration</source>
        <translation>接受配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="27" />
        <source>nudge PET</source>
        <translation>微调 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="27" />
        <source>scanner alignment</source>
        <translation>扫描仪对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reader/undo.py" line="28" />
        <source>change alignment</source>
        <translation>更改配准</translation>
    </message>
</context>
</TS>