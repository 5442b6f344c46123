<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>FollowupWindow</name>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="32" />
        <source>Lesion</source>
        <translation>病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="32" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="36" />
        <source>matched</source>
        <translation>已匹配</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="36" />
        <source>disappeared</source>
        <translation>消失</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="37" />
        <source>new</source>
        <translation>新发</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="38" />
        <source>complete metabolic response</source>
        <translation>完全代谢缓解</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="39" />
        <source>partial metabolic response</source>
        <translation>部分代谢缓解</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="40" />
        <source>stable metabolic disease</source>
        <translation>代谢稳定</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="41" />
        <source>progressive metabolic disease</source>
        <translation>代谢进展</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="42" />
        <source>not evaluable</source>
        <translation>不可评价</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="52" />
        <source>Follow-up reading</source>
        <translation>随访阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="64" />
        <source>Link crosshairs through the registration</source>
        <translation>按配准联动十字线</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="70" />
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="70" />
        <source>Follow-up</source>
        <translation>随访</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="90" />
        <source>Unlink</source>
        <translation>取消关联</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="91" />
        <source>The selected matched lesion becomes disappeared + new</source>
        <translation>所选已匹配病灶拆分为“消失”和“新发”</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="92" />
        <source>Link</source>
        <translation>关联</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="93" />
        <source>Select one disappeared and one new lesion: they become one matched lesion</source>
        <translation>选择一个消失病灶和一个新发病灶：二者合并为一个已匹配病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="95" />
        <source>name of the selected lesion</source>
        <translation>所选病灶的名称</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="96" />
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="124" />
        <source>Registration: {}</source>
        <translation>配准：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="130" />
        <source>Deauville: {} → {}</source>
        <translation>Deauville：{} → {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="144" />
        <source>registered (MI {:.3f}, shift {:.1f},{:.1f},{:.1f} mm, rotation {:.1f}°)</source>
        <translation>已配准（MI {:.3f}，平移 {:.1f},{:.1f},{:.1f} mm，旋转 {:.1f}°）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="147" />
        <source>given by the reader</source>
        <translation>由阅片者给定</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="162" />
        <source>within</source>
        <translation>在范围内</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="162" />
        <source>beyond</source>
        <translation>超出范围</translation>
    </message>
</context>
<context>
    <name>LesionTable</name>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="25" />
        <source>VOI</source>
        <extracomment>(key of VoiModel.row, header, number format or None)</extracomment>
        <translation>感兴趣区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="29" />
        <source>Vol/MTV mL</source>
        <translation>体积/MTV mL</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="31" />
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="32" />
        <source>Thr</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="33" />
        <source>Voxels</source>
        <translation>体素数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="35" />
        <source>PERCIST ≥thr</source>
        <translation>PERCIST ≥阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="37" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="37" />
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="52" />
        <source>rigid MI</source>
        <translation>刚性互信息配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="52" />
        <source>manual nudge</source>
        <translation>手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="53" />
        <source>scanner alignment</source>
        <translation>扫描仪对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="59" />
        <source>PET/CT workstation</source>
        <translation>PET/CT 工作站</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="81" />
        <source>SUV</source>
        <translation>标准摄取值 SUV</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="88" />
        <source>VOIs</source>
        <translation>感兴趣区 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="118" />
        <source>Reading</source>
        <translation>阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="121" />
        <source>Studies</source>
        <translation>检查列表</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="131" />
        <source>Layout</source>
        <translation>布局</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="129" />
        <location filename="../../workstation/ui/main_window.py" line="344" />
        <source>CT</source>
        <translation>CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="133" />
        <source>PET</source>
        <translation>PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="134" />
        <source>Colours</source>
        <translation>伪彩</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="137" />
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="145" />
        <location filename="../../workstation/ui/main_window.py" line="494" />
        <source>Play MIP</source>
        <translation>播放 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="149" />
        <source>Anonymise</source>
        <translation>匿名显示</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="153" />
        <location filename="../../workstation/ui/main_window.py" line="345" />
        <source>Register PET→CT</source>
        <translation>配准 PET→CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="154" />
        <source>propose a rigid registration; nothing changes until you accept it</source>
        <translation>给出刚性配准建议；接受之前不做任何更改</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="157" />
        <location filename="../../workstation/ui/main_window.py" line="606" />
        <source>Scanner alignment</source>
        <translation>扫描仪对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="158" />
        <source>show the PET as the scanners placed it (no registration); undoable</source>
        <translation>按扫描仪原始位置显示 PET（不配准）；可撤销</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="161" />
        <location filename="../../workstation/ui/main_window.py" line="619" />
        <source>Undo alignment</source>
        <translation>撤销对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="162" />
        <source>go back to the previous stored alignment of this PET/CT pair</source>
        <translation>恢复此 PET/CT 组合上一次保存的对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="169" />
        <source>move the PET {} mm (x=patient left, y=posterior, z=head)</source>
        <translation>移动 PET {} mm（x=患者左侧，y=后方，z=头侧）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="174" />
        <source>SUV…</source>
        <translation>SUV…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="177" />
        <source>VOIs…</source>
        <translation>感兴趣区…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="180" />
        <source>Reconstruct…</source>
        <translation>重建…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="183" />
        <source>QA…</source>
        <translation>质控…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="191" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="192" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="209" />
        <source>The language changes when the workstation is started again.</source>
        <translation>重新启动工作站后语言设置生效。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="219" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="245" />
        <source>{}: done</source>
        <translation>{}：完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="237" />
        <source>{}: cancelled</source>
        <translation>{}：已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="276" />
        <location filename="../../workstation/ui/main_window.py" line="281" />
        <source>Loading study</source>
        <translation>正在载入检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="311" />
        <source>PET aligned with the {}</source>
        <translation>PET 已按{}对齐</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="314" />
        <source>PET and MR frames of reference differ: use 'Register PET→MR' or nudge</source>
        <translation>PET 与 MR 的参考坐标系不同：请使用“配准 PET→MR”或手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="316" />
        <source>PET and CT frames of reference differ: use 'Register PET→CT' or nudge</source>
        <translation>PET 与 CT 的参考坐标系不同：请使用“配准 PET→CT”或手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="344" />
        <source>MR</source>
        <translation>MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="345" />
        <source>Register PET→MR</source>
        <translation>配准 PET→MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="359" />
        <source>PET: {}</source>
        <translation>PET：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="411" />
        <source>next / previous slice (MIP: rotate) in the view under the mouse</source>
        <translation>鼠标所在视图的下一层 / 上一层（MIP：旋转）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="412" />
        <source>PgUp / PgDn</source>
        <translation>上翻页 / 下翻页</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="412" />
        <source>10 slices forward / back</source>
        <translation>前进 / 后退 10 层</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="413" />
        <source>zoom in / out</source>
        <translation>放大 / 缩小</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="414" />
        <source>Home</source>
        <translation>Home 键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="414" />
        <source>reset zoom and pan</source>
        <translation>重置缩放和平移</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="415" />
        <source>CT/MR window presets in the order of the tool bar</source>
        <translation>按工具栏顺序选择 CT/MR 窗宽窗位预设</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="416" />
        <source>Space</source>
        <translation>空格键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="416" />
        <source>play / pause the rotating MIP</source>
        <translation>播放 / 暂停旋转 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="417" />
        <source>this list</source>
        <translation>本列表</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="423" />
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="494" />
        <source>Pause MIP</source>
        <translation>暂停 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="518" />
        <source>Registration</source>
        <translation>配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="519" />
        <source>The PET and the CT/MR do not share a frame of reference.
Register them automatically now, or align them by hand with the nudge buttons?</source>
        <translation>PET 与 CT/MR 不在同一参考坐标系中。
现在自动配准，还是用微调按钮手动对齐？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="522" />
        <source>Register now</source>
        <translation>立即配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="523" />
        <source>Nudge by hand</source>
        <translation>手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="538" />
        <source>Keeping the registration</source>
        <translation>保存配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="551" />
        <source>Moving PET</source>
        <translation>正在移动 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="570" />
        <source>Registering PET to CT</source>
        <translation>正在将 PET 配准到 CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="570" />
        <source>Registering PET to MR</source>
        <translation>正在将 PET 配准到 MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="580" />
        <source>Registration proposal rejected: alignment unchanged</source>
        <translation>已拒绝配准建议：对位未改变</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="582" />
        <source>Registration proposal: accept or reject</source>
        <translation>配准建议：请接受或拒绝</translation>
    </message>
</context>
<context>
    <name>PacsPanel</name>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="38" />
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="38" />
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="39" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="39" />
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="40" />
        <source>Modalities</source>
        <translation>模态</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="40" />
        <source>Instances</source>
        <translation>图像数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="41" />
        <source>Study UID</source>
        <translation>检查 UID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="58" />
        <source>Echo</source>
        <translation>连通测试</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="61" />
        <location filename="../../workstation/ui/pacs_panel.py" line="186" />
        <source>Start our node</source>
        <translation>启动本机节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="64" />
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="72" />
        <source>e.g. DOE^J* or 王*</source>
        <translation>例如 DOE^J* 或 王*</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="75" />
        <source>YYYYMMDD or YYYYMMDD-YYYYMMDD</source>
        <translation>YYYYMMDD 或 YYYYMMDD-YYYYMMDD</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="76" />
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="81" />
        <source>Patient name</source>
        <translation>患者姓名</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="82" />
        <source>Patient ID</source>
        <translation>患者 ID</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="83" />
        <source>Study date</source>
        <translation>检查日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="92" />
        <source>Retrieve</source>
        <translation>获取</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="97" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="106" />
        <source>Arriving study</source>
        <translation>正在接收的检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="106" />
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="106" />
        <source>Last instance</source>
        <translation>最后一幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="109" />
        <source>Incoming (our node)</source>
        <translation>接收队列（本机节点）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="144" />
        <source>No DICOM nodes configured: `{}`</source>
        <translation>未配置 DICOM 节点：`{}`</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="160" />
        <source>{}: C-ECHO ok</source>
        <translation>{}：C-ECHO 成功</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="161" />
        <source>{}: C-ECHO status 0x{:04X}</source>
        <translation>{}：C-ECHO 状态 0x{:04X}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="182" />
        <source>Our node: {} on port {}</source>
        <translation>本机节点：{}，端口 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="183" />
        <source>Stop our node</source>
        <translation>停止本机节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="185" />
        <source>Our node: not running</source>
        <translation>本机节点：未运行</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="199" />
        <source>Search failed: {}</source>
        <translation>查询失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="200" />
        <source>Searching {}…</source>
        <translation>正在查询 {}…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="208" />
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="216" />
        <source>{} studies found</source>
        <translation>找到 {} 个检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="245" />
        <source>Retrieved {} instances from {}</source>
        <translation>已从 {1} 获取 {0} 幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="246" />
        <source>Retrieve failed: {}</source>
        <translation>获取失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="247" />
        <source>Retrieve cancelled</source>
        <translation>已取消获取</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="299" />
        <source>{} of {}</source>
        <translation>{}/{}</translation>
    </message>
</context>
<context>
    <name>PairDialog</name>
    <message>
        <location filename="../../workstation/ui/browser.py" line="73" />
        <source>Choose the series to read</source>
        <translation>选择要阅读的序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="79" />
        <source>(no PET)</source>
        <translation>（无 PET）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="79" />
        <source>(no CT/MR)</source>
        <translation>（无 CT/MR）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="96" />
        <source>CT / MR</source>
        <translation>CT / MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="114" />
        <source>Same frame of reference: fused as acquired.</source>
        <translation>参考坐标系相同：按采集位置融合。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="115" />
        <source>Different frames of reference: the reading offers automatic registration and a manual nudge.</source>
        <translation>参考坐标系不同：阅片时可自动配准或手动微调。</translation>
    </message>
</context>
<context>
    <name>QaPanel</name>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="20" />
        <source>sphere (mm)</source>
        <translation>球直径 (mm)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="29" />
        <source>Physicist QA: NEMA IQ</source>
        <translation>物理师质控：NEMA IQ</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="41" />
        <source>Sphere:background ratio</source>
        <translation>热球与本底活度比</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="42" />
        <source>Known concentrations at the scan start (kBq/mL)</source>
        <translation>扫描开始时的已知活度浓度 (kBq/mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="52" />
        <source>Spheres (kBq/mL)</source>
        <translation>热球 (kBq/mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="53" />
        <source>Background (kBq/mL)</source>
        <translation>本底 (kBq/mL)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="57" />
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="60" />
        <source>NU 2 edition</source>
        <translation>NU 2 版本</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="63" />
        <source>Analyse as NEMA IQ</source>
        <translation>按 NEMA IQ 分析</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="65" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="68" />
        <source>Save report…</source>
        <translation>保存报告…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="75" />
        <location filename="../../workstation/ui/qa_panel.py" line="108" />
        <source>No PET loaded</source>
        <translation>未载入 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="107" />
        <source>Ready: {0}</source>
        <translation>就绪：{0}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="135" />
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="144" />
        <source>Analysis failed: {0}</source>
        <translation>分析失败：{0}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="155" />
        <source>pass</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="155" />
        <location filename="../../workstation/ui/qa_panel.py" line="163" />
        <source>FAIL</source>
        <translation>不通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="163" />
        <source>PASS</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="164" />
        <source>EARL1 {0} · EARL2 {1} · background CoV {2:.2f} % · lung residual {3:.2f} %</source>
        <translation>EARL1 {0} · EARL2 {1} · 本底变异系数 {2:.2f} % · 肺插件残余误差 {3:.2f} %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="167" />
        <source>NU 2-{0}; {1}</source>
        <translation>NU 2-{0}；{1}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="167" />
        <source>no warnings</source>
        <translation>无警告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="180" />
        <source>Save QA report</source>
        <translation>保存质控报告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/qa_panel.py" line="187" />
        <source>QA report</source>
        <translation>质控报告</translation>
    </message>
</context>
<context>
    <name>ReadingPersistence</name>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="39" />
        <source>DICOM SEG (segments)…</source>
        <translation>DICOM SEG（分割）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="40" />
        <source>DICOM SR measurement report…</source>
        <translation>DICOM SR 测量报告…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="41" />
        <source>DICOM RWVM (SUV factor)…</source>
        <translation>DICOM RWVM（SUV 转换系数）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="42" />
        <source>Key images (secondary capture)…</source>
        <translation>关键图像（二次采集）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="43" />
        <source>PDF report…</source>
        <translation>PDF 报告…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="76" />
        <source>&amp;Reading</source>
        <translation>阅片(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="77" />
        <source>&amp;Save reading</source>
        <translation>保存阅片(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="80" />
        <source>&amp;Revert to saved</source>
        <translation>恢复到已保存(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="85" />
        <source>&amp;Import DICOM SEG as VOIs…</source>
        <translation>导入 DICOM SEG 为感兴趣区(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="88" />
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="133" />
        <source>Reading restored: unsaved changes from {} (autosave)</source>
        <translation>已恢复阅片：{} 的未保存更改（自动保存）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="135" />
        <source>Reading restored (saved {})</source>
        <translation>已恢复阅片（保存于 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="177" />
        <source>Reading saved</source>
        <translation>阅片已保存</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="187" />
        <source>Reverted to the saved reading</source>
        <translation>已恢复到保存的阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="188" />
        <source>Reverted to the reading as opened</source>
        <translation>已恢复到打开时的阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="192" />
        <source>Import DICOM SEG</source>
        <translation>导入 DICOM SEG</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="192" />
        <source>DICOM (*.dcm);;All files (*)</source>
        <translation>DICOM (*.dcm);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="217" />
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="227" />
        <source>Export needs a PET reading</source>
        <translation>导出需要 PET 阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="230" />
        <source>Export needs SUV: complete the SUV inputs in the SUV panel first</source>
        <translation>导出需要 SUV：请先在 SUV 面板中补全 SUV 参数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="248" />
        <source>Exported {}</source>
        <translation>已导出 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/reading_menu.py" line="250" />
        <source>Export {}</source>
        <translation>导出 {}</translation>
    </message>
</context>
<context>
    <name>ReconPanel</name>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="59" />
        <source>scheduled</source>
        <translation>已排队</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="59" />
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="60" />
        <source>cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="60" />
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="61" />
        <source>completing</source>
        <translation>即将完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="61" />
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="62" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="126" />
        <source>raw data file (e.g. PETSIRD list-mode)</source>
        <translation>原始数据文件（如 PETSIRD 列表模式）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="127" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="133" />
        <source>Plugin</source>
        <translation>插件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="135" />
        <location filename="../../workstation/ui/recon_panel.py" line="307" />
        <source>Raw data</source>
        <translation>原始数据</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="140" />
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="143" />
        <source>SUV facts (blank: from the study's PET / CT headers or the raw data)</source>
        <translation>SUV 参数（留空：取自本检查 PET / CT 文件头或原始数据）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="149" />
        <location filename="../../workstation/ui/recon_panel.py" line="154" />
        <source>from headers</source>
        <translation>取自文件头</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="160" />
        <source>Injected dose</source>
        <extracomment>SUV fact (``recon.publish.SuvFacts`` field) -&gt; (form label, widget)</extracomment>
        <translation>注射剂量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="161" />
        <source>Injection time</source>
        <translation>注射时间</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="162" />
        <source>Acquisition start</source>
        <translation>采集开始</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="163" />
        <source>Weight</source>
        <translation>体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="168" />
        <source>Reconstruct</source>
        <translation>重建</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="171" />
        <source>Reconstruct and analyse as NEMA IQ</source>
        <translation>重建并按 NEMA IQ 分析</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="173" />
        <source>for phantom data: write the result as a PET series of its own study and open the physicist QA panel on it (NEMA IEC body phantom, EARL bands)</source>
        <translation>用于模体数据：将结果写为独立检查中的 PET 序列，并在其上打开物理师质控面板（NEMA IEC 人体模体，EARL 范围）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="176" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="192" />
        <source>latest iteration: central slice | MIP</source>
        <translation>最近一次迭代：中心层 | MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="206" />
        <source>{} — broken</source>
        <translation>{} — 已损坏</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="213" />
        <source>{}: unavailable — {}</source>
        <translation>{}：不可用 — {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="243" />
        <source>no usable reconstruction plugin installed</source>
        <translation>未安装可用的重建插件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="307" />
        <source>PETSIRD (*.petsird *.bin);;All files (*)</source>
        <translation>PETSIRD (*.petsird *.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="383" />
        <source>{}: preparing the inputs…</source>
        <translation>{}：正在准备输入…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="399" />
        <source>{}: scheduled (job {})</source>
        <translation>{}：已排队（任务 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="406" />
        <location filename="../../workstation/ui/recon_panel.py" line="409" />
        <source>cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="429" />
        <source>iteration {}: central slice | MIP</source>
        <translation>第 {} 次迭代：中心层 | MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="431" />
        <source>preview of iteration {} unreadable: {}</source>
        <translation>第 {} 次迭代的预览无法读取：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="444" />
        <source>reconstruction failed: {}</source>
        <translation>重建失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="458" />
        <source>reconstruction completed; open a study with a CT to write it into (result kept in {})</source>
        <translation>重建完成；请打开含 CT 的检查以写入（结果保存在 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="500" />
        <source>writing the PET series into the study…</source>
        <translation>正在将 PET 序列写入检查…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="505" />
        <location filename="../../workstation/ui/recon_panel.py" line="533" />
        <source>publishing cancelled</source>
        <translation>写入已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="529" />
        <source>writing the PET series for QA…</source>
        <translation>正在写入用于质控的 PET 序列…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="543" />
        <source>written as PET series …{} of its own study ({} slices); NEMA IQ analysis started in the QA panel</source>
        <translation>已写为独立检查中的 PET 序列 …{}（{} 层）；已在质控面板中开始 NEMA IQ 分析</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="564" />
        <source>written as PET series …{} in the CT's study ({} slices); opened fused with the CT</source>
        <translation>已写入 CT 所在检查的 PET 序列 …{}（{} 层）；已与 CT 融合打开</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="585" />
        <source>(result kept in {})</source>
        <translation>（结果保存在 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="586" />
        <source>reconstruction completed but not written: {}</source>
        <translation>重建完成但未写入：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="604" />
        <source>Reconstruction</source>
        <translation>重建</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="30" />
        <source>Mattes mutual information</source>
        <translation>Mattes 互信息</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="31" />
        <source>scanner alignment (identity)</source>
        <translation>扫描仪对位（恒等变换）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="32" />
        <source>image centres</source>
        <translation>图像中心</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="33" />
        <source>intensity moments</source>
        <translation>强度矩</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="34" />
        <source>current alignment</source>
        <translation>当前对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="35" />
        <source>the proposed alignment leaves no overlap between the PET and the anatomical image</source>
        <translation>建议的对位使 PET 与解剖图像没有重叠</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="37" />
        <source>the metric did not improve; keep the current alignment</source>
        <translation>相似性度量未改善；请保持当前对位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="47" />
        <source>Registration proposal</source>
        <translation>配准建议</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="54" />
        <source>Start: {}; shared frame of reference.</source>
        <translation>初始：{}；共用参考坐标系。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="55" />
        <source>Start: {}; different frame of reference.</source>
        <translation>初始：{}；参考坐标系不同。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="57" />
        <source>The PET centre would move {:.1f} mm, rotation {:.1f}°.</source>
        <translation>PET 中心将移动 {:.1f} mm，旋转 {:.1f}°。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="58" />
        <source>{}: {:.4f} → {:.4f} (lower is better).</source>
        <translation>{}：{:.4f} → {:.4f}（越低越好）。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="71" />
        <source>Now (checkerboard)</source>
        <translation>当前（棋盘格）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="72" />
        <source>Proposed (checkerboard)</source>
        <translation>建议（棋盘格）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="78" />
        <source>Blend instead of checkerboard</source>
        <translation>以混合代替棋盘格显示</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="83" />
        <source>The images show a real misalignment: move the PET by {:.1f} mm / {:.1f}° although PET and anatomy share a frame of reference</source>
        <translation>图像确实存在错位：尽管 PET 与解剖图像共用参考坐标系，仍将 PET 移动 {:.1f} mm / {:.1f}°</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="89" />
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/registration_dialog.py" line="90" />
        <source>Reject (keep current alignment)</source>
        <translation>拒绝（保持当前对位）</translation>
    </message>
</context>
<context>
    <name>SendDialog</name>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="310" />
        <source>Send to a DICOM node</source>
        <translation>发送到 DICOM 节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="320" />
        <source>{} instances of the series</source>
        <translation>该序列的 {} 幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="321" />
        <source>{} instances of the study</source>
        <translation>该检查的 {} 幅图像</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="326" />
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="331" />
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="342" />
        <source>Nothing to send, or no node configured.</source>
        <translation>没有可发送的内容，或未配置节点。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="349" />
        <source>Sent {} of {} to {}</source>
        <translation>已发送 {}/{} 到 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="350" />
        <source>; {} failed</source>
        <translation>；{} 个失败</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="351" />
        <source>Send failed: {}</source>
        <translation>发送失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/pacs_panel.py" line="352" />
        <source>Send cancelled</source>
        <translation>已取消发送</translation>
    </message>
</context>
<context>
    <name>StudyBrowser</name>
    <message>
        <location filename="../../workstation/ui/browser.py" line="63" />
        <source>(no description)</source>
        <translation>（无描述）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="64" />
        <location filename="../../workstation/ui/browser.py" line="191" />
        <source>{} slices</source>
        <translation>{} 层</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="129" />
        <source>Patient / series</source>
        <translation>患者 / 序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="129" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="129" />
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="130" />
        <source>Modalities / slices</source>
        <translation>模态 / 层数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="130" />
        <source>Series / FoR</source>
        <translation>序列 / 参考坐标系</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="133" />
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="135" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="137" />
        <source>Read study</source>
        <translation>阅读检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="139" />
        <source>Send to node…</source>
        <translation>发送到节点…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="144" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="164" />
        <source>Local</source>
        <translation>本地</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="180" />
        <source>No study database.</source>
        <translation>没有检查数据库。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="184" />
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="185" />
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="187" />
        <source>{} series</source>
        <translation>{} 个序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="199" />
        <source>{} studies</source>
        <translation>{} 个检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="250" />
        <source>Import DICOM folder</source>
        <translation>导入 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="258" />
        <source>Imported: {}</source>
        <translation>已导入：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="259" />
        <source>Import failed: {}</source>
        <translation>导入失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="260" />
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
</context>
<context>
    <name>SuvPanel</name>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="30" />
        <source>Weight (kg)</source>
        <translation>体重 (kg)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="30" />
        <source>Height (m)</source>
        <translation>身高 (m)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="31" />
        <source>Sex (M/F)</source>
        <translation>性别 (M/F)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="31" />
        <source>Injected dose (Bq)</source>
        <translation>注射剂量 (Bq)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="32" />
        <source>Injection time (YYYY-MM-DDTHH:MM:SS)</source>
        <translation>注射时间 (YYYY-MM-DDTHH:MM:SS)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="33" />
        <source>Half-life (s)</source>
        <translation>半衰期 (s)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="35" />
        <source>body weight</source>
        <translation>体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="36" />
        <source>lean body mass (James, 128)</source>
        <translation>瘦体重（James，128）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="37" />
        <source>lean body mass (James, 120)</source>
        <translation>瘦体重（James，120）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="38" />
        <source>lean body mass (Janmahasatian)</source>
        <translation>瘦体重（Janmahasatian）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="39" />
        <source>body surface area</source>
        <translation>体表面积</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="40" />
        <source>ideal body weight</source>
        <translation>理想体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="65" />
        <source>reason for the override (required)</source>
        <translation>修改原因（必填）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="66" />
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="72" />
        <source>SUV type</source>
        <translation>SUV 类型</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="75" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="77" />
        <source>Provenance</source>
        <translation>数据来源</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="82" />
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="99" />
        <source>No PET loaded.</source>
        <translation>未载入 PET。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="104" />
        <source>PET stored as {}: factor 1</source>
        <translation>PET 以 {} 存储：系数 1</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="106" />
        <source>SUV not available; PET shown in {}.</source>
        <translation>无法计算 SUV；PET 以 {} 显示。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="106" />
        <source>file units</source>
        <translation>文件单位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="132" />
        <source>An override needs a reason (it is written to the audit trail).</source>
        <translation>修改需要填写原因（将写入审计记录）。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="145" />
        <source>Applied.</source>
        <translation>已应用。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="146" />
        <source>SUV unavailable: {}</source>
        <translation>SUV 不可用：{}</translation>
    </message>
</context>
<context>
    <name>ToolbarOverflow</name>
    <message>
        <location filename="../../workstation/ui/toolbar_overflow.py" line="41"/>
        <source>More ▾</source>
        <translation>更多 ▾</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/toolbar_overflow.py" line="42"/>
        <source>toolbar items that do not fit in the window</source>
        <translation>窗口中放不下的工具栏项目</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/toolbar_overflow.py" line="94"/>
        <source>(every tool is shown)</source>
        <translation>（所有工具均已显示）</translation>
    </message>
</context>
<context>
    <name>VoiPanel</name>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="64" />
        <source>Navigate</source>
        <translation>浏览</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="64" />
        <source>Sphere</source>
        <translation>球形</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="65" />
        <source>Box</source>
        <translation>方框</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="65" />
        <source>Segment</source>
        <translation>分割</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="66" />
        <source>Liver ref</source>
        <translation>肝脏参考</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="66" />
        <source>Blood pool</source>
        <translation>血池</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="120" />
        <source>SUV for 'fixed SUV (user)', percent for '% of SUVmax (user)'</source>
        <translation>“固定 SUV（自定义）”时为 SUV，“SUVmax 百分比（自定义）”时为百分比</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="136" />
        <source>exclude brain and bladder</source>
        <translation>排除脑和膀胱</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="137" />
        <source>whole body: leave out the organs found by the brain/bladder rules (the default)</source>
        <translation>全身：排除按脑/膀胱规则识别的器官（默认）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="145" />
        <source>a clicked lesion grows only inside a sphere of this radius around the click; reaching it stops the segmentation with a warning</source>
        <translation>点击的病灶只在以点击处为中心、此半径的球内生长；到达边界时停止分割并给出警告</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="148" />
        <source>Delete VOI</source>
        <translation>删除感兴趣区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="150" />
        <location filename="../../workstation/ui/voi_panel.py" line="435" />
        <source>Whole body</source>
        <translation>全身检测</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="151" />
        <source>detect every lesion with the chosen method</source>
        <translation>用所选方法检测全部病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="153" />
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="155" />
        <source>Structures…</source>
        <translation>结构…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="156" />
        <source>load the structures of a DICOM SEG or RTSTRUCT file as VOIs</source>
        <translation>将 DICOM SEG 或 RTSTRUCT 文件中的结构载入为 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="169" />
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="170" />
        <source>User value</source>
        <translation>自定义值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="174" />
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="175" />
        <source>Sphere radius</source>
        <translation>球半径</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="176" />
        <source>Constraint radius</source>
        <translation>约束半径</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="177" />
        <source>Min. volume</source>
        <translation>最小体积</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="328" />
        <source>sphere VOI {}: radius {:.1f} mm</source>
        <translation>球形感兴趣区 {}：半径 {:.1f} mm</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="348" />
        <source>{}: mean {:.2f} SD {:.2f} {}</source>
        <translation>{}：均值 {:.2f} 标准差 {:.2f} {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="371" />
        <source>segmenting ({})…</source>
        <translation>正在分割（{}）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="388" />
        <source>⚠ nothing measured: {}</source>
        <translation>⚠ 未测量：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="397" />
        <source>{}: {}, threshold {:.2f} {}, {:.2f} mL, SUVmax {:.2f}</source>
        <translation>{}：{}，阈值 {:.2f} {}，{:.2f} mL，SUVmax {:.2f}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="406" />
        <source>whole body: cancelled</source>
        <translation>全身检测：已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="429" />
        <source>whole-body detection ({})…</source>
        <translation>正在全身检测（{}）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="430" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="438" />
        <source>whole body: {} {:.0f} %</source>
        <translation>全身检测：{} {:.0f} %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="449" />
        <source>; excluded {}</source>
        <translation>；已排除 {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="452" />
        <source>; looked for {}, none found</source>
        <translation>；已查找 {}，未找到</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="455" />
        <source>; nothing excluded</source>
        <translation>；未排除任何器官</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="456" />
        <source>whole body: {} lesions</source>
        <translation>全身检测：{} 个病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="502" />
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="555" />
        <source>Load structures (DICOM SEG or RTSTRUCT)</source>
        <translation>载入结构（DICOM SEG 或 RTSTRUCT）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="556" />
        <source>DICOM files (*.dcm *);;All files (*)</source>
        <translation>DICOM 文件 (*.dcm *);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="565" />
        <source>Structures not loaded: {}</source>
        <translation>未载入结构：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="570" />
        <source>Loaded {} structure(s) from {}: </source>
        <translation>已从 {1} 载入 {0} 个结构：</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="579" />
        <source>Export VOIs as CSV</source>
        <translation>将感兴趣区导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="579" />
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="589" />
        <source>Overwrite?</source>
        <translation>覆盖？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="589" />
        <source>{} already exists. Replace it?</source>
        <translation>{} 已存在，是否替换？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="593" />
        <source>Not exported: the file exists and was kept.</source>
        <translation>未导出：文件已存在并被保留。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="598" />
        <location filename="../../workstation/ui/voi_panel.py" line="601" />
        <source>Not exported: {}</source>
        <translation>未导出：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="604" />
        <source>Exported {} VOIs to {}</source>
        <translation>已将 {} 个感兴趣区导出到 {}</translation>
    </message>
</context>
<context>
    <name>methods</name>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="19" />
        <source>fixed SUV 2.5</source>
        <extracomment>The segmentation choices of the viewer: label -&gt; method template ({v} = the user value). The English label is the choice's identity; the menu shows its translation (context "methods").</extracomment>
        <translation>固定 SUV 2.5</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="20" />
        <source>fixed SUV (user)</source>
        <translation>固定 SUV（自定义）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="21" />
        <source>41 % of SUVmax</source>
        <translation>SUVmax 的 41 %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="22" />
        <source>50 % of SUVmax</source>
        <translation>SUVmax 的 50 %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="23" />
        <source>% of SUVmax (user)</source>
        <translation>SUVmax 百分比（自定义）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="24" />
        <source>PERCIST (liver)</source>
        <translation>PERCIST（肝脏参考）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="25" />
        <source>A50 (background-adapted)</source>
        <translation>A50（本底自适应）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="26" />
        <source>gradient edge (steepest descent)</source>
        <translation>梯度边缘（最陡下降）</translation>
    </message>
</context>
<context>
    <name>names</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="104" />
        <source>grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="104" />
        <source>fused-mip</source>
        <translation>融合 + MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="104" />
        <source>pet</source>
        <translation>PET 协议</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="105" />
        <source>MR auto</source>
        <translation>MR 自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="105" />
        <source>T1</source>
        <translation>T1</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="105" />
        <source>T2</source>
        <translation>T2</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="106" />
        <source>soft tissue</source>
        <translation>软组织</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="106" />
        <source>lung</source>
        <translation>肺窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="107" />
        <source>bone</source>
        <translation>骨窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="107" />
        <source>brain</source>
        <translation>脑窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="108" />
        <source>liver</source>
        <translation>肝脏</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="109" />
        <source>SUV 0-5</source>
        <translation>SUV 0-5</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="109" />
        <source>SUV 0-10</source>
        <translation>SUV 0-10</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="110" />
        <source>SUV 0-15</source>
        <translation>SUV 0-15</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="110" />
        <source>custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="111" />
        <source>hot iron</source>
        <translation>热铁</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="111" />
        <source>rainbow</source>
        <translation>彩虹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="112" />
        <source>grey</source>
        <translation>灰阶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="112" />
        <source>inverted grey</source>
        <translation>反相灰阶</translation>
    </message>
</context>
<context>
    <name>organs</name>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="63" />
        <source>brain</source>
        <translation>脑</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="63" />
        <source>bladder</source>
        <translation>膀胱</translation>
    </message>
</context>
<context>
    <name>overlay</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="122" />
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="122" />
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="123" />
        <source>Study</source>
        <translation>检查</translation>
    </message>
</context>
<context>
    <name>render</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117" />
        <source>CT</source>
        <translation>CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117" />
        <source>PET</source>
        <translation>PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117" />
        <source>Fused</source>
        <translation>融合</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="118" />
        <source>MR</source>
        <translation>MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="119" />
        <source>axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="119" />
        <source>coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="120" />
        <source>sagittal</source>
        <translation>矢状位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="120" />
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="121" />
        <source>axi</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="121" />
        <source>cor</source>
        <translation>冠状</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="121" />
        <source>sag</source>
        <translation>矢状</translation>
    </message>
</context>
</TS>