<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>FollowupWindow</name>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="43"/>
        <source>Follow-up reading</source>
        <translation>随访阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="55"/>
        <source>Link crosshairs through the registration</source>
        <translation>通过配准联动十字线</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="61"/>
        <source>Baseline</source>
        <translation>基线</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="61"/>
        <source>Follow-up</source>
        <translation>随访</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="81"/>
        <source>Unlink</source>
        <translation>取消配对</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="82"/>
        <source>The selected matched lesion becomes disappeared + new</source>
        <translation>所选已配对病灶变为“消失 + 新发”</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="83"/>
        <source>Link</source>
        <translation>配对</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="84"/>
        <source>Select one disappeared and one new lesion: they become one matched lesion</source>
        <translation>选择一个消失病灶和一个新发病灶：它们合并为一个已配对病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="86"/>
        <source>name of the selected lesion</source>
        <translation>所选病灶的名称</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="87"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="138"/>
        <source>within</source>
        <translation>以内</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/followup_window.py" line="138"/>
        <source>beyond</source>
        <translation>以外</translation>
    </message>
</context>
<context>
    <name>LesionTable</name>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="25"/>
        <source>VOI</source>
        <extracomment>(key of VoiModel.row, header, number format or None)</extracomment>
        <translation>感兴趣区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="29"/>
        <source>Vol/MTV mL</source>
        <translation>体积/MTV mL</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="31"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="32"/>
        <source>Thr</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="33"/>
        <source>Voxels</source>
        <translation>体素数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="35"/>
        <source>PERCIST ≥thr</source>
        <translation>PERCIST ≥阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="37"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/lesion_table.py" line="37"/>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="52"/>
        <source>PET/CT workstation</source>
        <translation>PET/CT 工作站</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="74"/>
        <source>SUV</source>
        <translation>标准摄取值 SUV</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="81"/>
        <source>VOIs</source>
        <translation>感兴趣区 VOI</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="111"/>
        <source>Reading</source>
        <translation>阅片</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="114"/>
        <source>Studies</source>
        <translation>检查列表</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="124"/>
        <source>Layout</source>
        <translation>布局</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="122"/>
        <location filename="../../workstation/ui/main_window.py" line="328"/>
        <source>CT</source>
        <translation>CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="126"/>
        <source>PET</source>
        <translation>PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="127"/>
        <source>Colours</source>
        <translation>伪彩</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="130"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="138"/>
        <location filename="../../workstation/ui/main_window.py" line="477"/>
        <source>Play MIP</source>
        <translation>播放 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="142"/>
        <source>Anonymise</source>
        <translation>匿名显示</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="146"/>
        <location filename="../../workstation/ui/main_window.py" line="329"/>
        <source>Register PET→CT</source>
        <translation>配准 PET→CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="147"/>
        <source>propose a rigid registration; nothing changes until you accept it</source>
        <translation>提出刚性配准方案；接受之前不做任何更改</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="162"/>
        <source>move the PET {} mm (x=patient left, y=posterior, z=head)</source>
        <translation>移动 PET {} mm（x=患者左侧，y=后方，z=头侧）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="167"/>
        <source>SUV…</source>
        <translation>SUV…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="170"/>
        <source>VOIs…</source>
        <translation>感兴趣区…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="173"/>
        <source>Reconstruct…</source>
        <translation>重建…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="181"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="182"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="199"/>
        <source>The language changes when the workstation is started again.</source>
        <translation>重新启动工作站后语言设置生效。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="209"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="228"/>
        <source>{}: done</source>
        <translation>{}：完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="231"/>
        <source>{}: cancelled</source>
        <translation>{}：已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="265"/>
        <location filename="../../workstation/ui/main_window.py" line="270"/>
        <source>Loading study</source>
        <translation>正在载入检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="295"/>
        <source>PET aligned with the {}</source>
        <translation>PET 已按{}对齐</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="298"/>
        <source>PET and MR frames of reference differ: use &apos;Register PET→MR&apos; or nudge</source>
        <translation>PET 与 MR 的参考坐标系不同：请使用“配准 PET→MR”或手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="300"/>
        <source>PET and CT frames of reference differ: use &apos;Register PET→CT&apos; or nudge</source>
        <translation>PET 与 CT 的参考坐标系不同：请使用“配准 PET→CT”或手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="328"/>
        <source>MR</source>
        <translation>MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="329"/>
        <source>Register PET→MR</source>
        <translation>配准 PET→MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="342"/>
        <source>PET: {}</source>
        <translation>PET：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="394"/>
        <source>next / previous slice (MIP: rotate) in the view under the mouse</source>
        <translation>鼠标所在视图的下一层 / 上一层（MIP：旋转）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="395"/>
        <source>PgUp / PgDn</source>
        <translation>上翻页 / 下翻页</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="395"/>
        <source>10 slices forward / back</source>
        <translation>前进 / 后退 10 层</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="396"/>
        <source>zoom in / out</source>
        <translation>放大 / 缩小</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="397"/>
        <source>Home</source>
        <translation>Home 键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="397"/>
        <source>reset zoom and pan</source>
        <translation>重置缩放和平移</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="398"/>
        <source>CT/MR window presets in the order of the tool bar</source>
        <translation>按工具栏顺序选择 CT/MR 窗宽窗位预设</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="399"/>
        <source>Space</source>
        <translation>空格键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="399"/>
        <source>play / pause the rotating MIP</source>
        <translation>播放 / 暂停旋转 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="400"/>
        <source>this list</source>
        <translation>本列表</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="406"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="477"/>
        <source>Pause MIP</source>
        <translation>暂停 MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="491"/>
        <source>Registration</source>
        <translation>配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="492"/>
        <source>The PET and the CT/MR do not share a frame of reference.
Register them automatically now, or align them by hand with the nudge buttons?</source>
        <translation>PET 与 CT/MR 不在同一参考坐标系中。
现在自动配准，还是用微调按钮手动对齐？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="495"/>
        <source>Register now</source>
        <translation>立即配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="496"/>
        <source>Nudge by hand</source>
        <translation>手动微调</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="511"/>
        <source>Keeping the registration</source>
        <translation>保存配准</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="524"/>
        <source>Moving PET</source>
        <translation>正在移动 PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="543"/>
        <source>Registering PET to CT</source>
        <translation>正在将 PET 配准到 CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/main_window.py" line="543"/>
        <source>Registering PET to MR</source>
        <translation>正在将 PET 配准到 MR</translation>
    </message>
</context>
<context>
    <name>PairDialog</name>
    <message>
        <location filename="../../workstation/ui/browser.py" line="73"/>
        <source>Choose the series to read</source>
        <translation>选择要阅读的序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="79"/>
        <source>(no PET)</source>
        <translation>（无 PET）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="79"/>
        <source>(no CT/MR)</source>
        <translation>（无 CT/MR）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="114"/>
        <source>Same frame of reference: fused as acquired.</source>
        <translation>参考坐标系相同：按采集位置融合。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="115"/>
        <source>Different frames of reference: the reading offers automatic registration and a manual nudge.</source>
        <translation>参考坐标系不同：阅片时可自动配准或手动微调。</translation>
    </message>
</context>
<context>
    <name>ReconPanel</name>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="56"/>
        <source>scheduled</source>
        <translation>已排队</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="56"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="57"/>
        <source>cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="57"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="58"/>
        <source>completing</source>
        <translation>即将完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="58"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="59"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="122"/>
        <source>raw data file (e.g. PETSIRD list-mode)</source>
        <translation>原始数据文件（如 PETSIRD 列表模式）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="123"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="129"/>
        <source>Plugin</source>
        <translation>插件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="131"/>
        <location filename="../../workstation/ui/recon_panel.py" line="294"/>
        <source>Raw data</source>
        <translation>原始数据</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="136"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="139"/>
        <source>SUV facts (blank: from the study&apos;s PET / CT headers or the raw data)</source>
        <translation>SUV 参数（留空：取自本检查 PET / CT 文件头或原始数据）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="145"/>
        <location filename="../../workstation/ui/recon_panel.py" line="150"/>
        <source>from headers</source>
        <translation>取自文件头</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="155"/>
        <source>Injected dose</source>
        <translation>注射剂量</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="156"/>
        <source>Injection time</source>
        <translation>注射时间</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="157"/>
        <source>Acquisition start</source>
        <translation>采集开始</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="158"/>
        <source>Weight</source>
        <translation>体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="161"/>
        <source>Reconstruct</source>
        <translation>重建</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="164"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="179"/>
        <source>latest iteration: central slice | MIP</source>
        <translation>最近一次迭代：中心层 | MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="193"/>
        <source>{} — broken</source>
        <translation>{} — 已损坏</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="200"/>
        <source>{}: unavailable — {}</source>
        <translation>{}：不可用 — {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="230"/>
        <source>no usable reconstruction plugin installed</source>
        <translation>未安装可用的重建插件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="294"/>
        <source>PETSIRD (*.petsird *.bin);;All files (*)</source>
        <translation>PETSIRD (*.petsird *.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="348"/>
        <source>plugin {!r} takes no raw data file</source>
        <translation>插件 {!r} 不接受原始数据文件</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="350"/>
        <source>raw data file not found: {}</source>
        <translation>未找到原始数据文件：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="378"/>
        <source>{}: preparing the inputs…</source>
        <translation>{}：正在准备输入…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="394"/>
        <source>{}: scheduled (job {})</source>
        <translation>{}：已排队（任务 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="401"/>
        <location filename="../../workstation/ui/recon_panel.py" line="404"/>
        <source>cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="424"/>
        <source>iteration {}: central slice | MIP</source>
        <translation>第 {} 次迭代：中心层 | MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="426"/>
        <source>preview of iteration {} unreadable: {}</source>
        <translation>第 {} 次迭代的预览无法读取：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="439"/>
        <source>reconstruction failed: {}</source>
        <translation>重建失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="450"/>
        <source>reconstruction completed; open a study with a CT to write it into (result kept in {})</source>
        <translation>重建完成；请打开含 CT 的检查以写入（结果保存在 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="489"/>
        <source>writing the PET series into the study…</source>
        <translation>正在将 PET 序列写入检查…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="494"/>
        <source>publishing cancelled</source>
        <translation>写入已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="502"/>
        <source>written as PET series …{} in the CT&apos;s study ({} slices); opened fused with the CT</source>
        <translation>已写入 CT 所在检查的 PET 序列 …{}（{} 层）；已与 CT 融合打开</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="512"/>
        <source>(result kept in {})</source>
        <translation>（结果保存在 {}）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="513"/>
        <source>reconstruction completed but not written: {}</source>
        <translation>重建完成但未写入：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/recon_panel.py" line="531"/>
        <source>Reconstruction</source>
        <translation>重建</translation>
    </message>
</context>
<context>
    <name>StudyBrowser</name>
    <message>
        <location filename="../../workstation/ui/browser.py" line="63"/>
        <source>(no description)</source>
        <translation>（无描述）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="64"/>
        <location filename="../../workstation/ui/browser.py" line="191"/>
        <source>{} slices</source>
        <translation>{} 层</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="129"/>
        <source>Patient / series</source>
        <translation>患者 / 序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="129"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="129"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="130"/>
        <source>Modalities / slices</source>
        <translation>模态 / 层数</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="130"/>
        <source>Series / FoR</source>
        <translation>序列 / 参考坐标系</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="133"/>
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="135"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="137"/>
        <source>Read study</source>
        <translation>阅读检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="144"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="180"/>
        <source>No study database.</source>
        <translation>没有检查数据库。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="184"/>
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="185"/>
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="187"/>
        <source>{} series</source>
        <translation>{} 个序列</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="199"/>
        <source>{} studies</source>
        <translation>{} 个检查</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="250"/>
        <source>Import DICOM folder</source>
        <translation>导入 DICOM 文件夹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="258"/>
        <source>Imported: {}</source>
        <translation>已导入：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="259"/>
        <source>Import failed: {}</source>
        <translation>导入失败：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/browser.py" line="260"/>
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
</context>
<context>
    <name>SuvPanel</name>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="30"/>
        <source>Weight (kg)</source>
        <translation>体重 (kg)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="30"/>
        <source>Height (m)</source>
        <translation>身高 (m)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="31"/>
        <source>Sex (M/F)</source>
        <translation>性别 (M/F)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="31"/>
        <source>Injected dose (Bq)</source>
        <translation>注射剂量 (Bq)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="32"/>
        <source>Injection time (YYYY-MM-DDTHH:MM:SS)</source>
        <translation>注射时间 (YYYY-MM-DDTHH:MM:SS)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="33"/>
        <source>Half-life (s)</source>
        <translation>半衰期 (s)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="34"/>
        <source>body weight</source>
        <translation>体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="34"/>
        <source>lean body mass</source>
        <translation>瘦体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="35"/>
        <source>body surface area</source>
        <translation>体表面积</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="35"/>
        <source>ideal body weight</source>
        <translation>理想体重</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="49"/>
        <source>reason for the override (required)</source>
        <translation>修改原因（必填）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="50"/>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="56"/>
        <source>SUV type</source>
        <translation>SUV 类型</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="59"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="61"/>
        <source>Provenance</source>
        <translation>数据来源</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="66"/>
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="83"/>
        <source>No PET loaded.</source>
        <translation>未载入 PET。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="88"/>
        <source>PET stored as {}: factor 1</source>
        <translation>PET 以 {} 存储：系数 1</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="90"/>
        <source>SUV not available; PET shown in {}.</source>
        <translation>无法计算 SUV；PET 以 {} 显示。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="90"/>
        <source>file units</source>
        <translation>文件单位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="108"/>
        <source>An override needs a reason (it is written to the audit trail).</source>
        <translation>修改需要填写原因（将写入审计记录）。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="120"/>
        <source>Applied.</source>
        <translation>已应用。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/suv_panel.py" line="121"/>
        <source>SUV unavailable: {}</source>
        <translation>SUV 不可用：{}</translation>
    </message>
</context>
<context>
    <name>VoiPanel</name>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="63"/>
        <source>Navigate</source>
        <translation>浏览</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="63"/>
        <source>Sphere</source>
        <translation>球形</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="64"/>
        <source>Box</source>
        <translation>方框</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="64"/>
        <source>Segment</source>
        <translation>分割</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="65"/>
        <source>Liver ref</source>
        <translation>肝脏参考</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="65"/>
        <source>Blood pool</source>
        <translation>血池</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="126"/>
        <source>SUV for &apos;fixed SUV (user)&apos;, percent for &apos;% of SUVmax (user)&apos;</source>
        <translation>“固定 SUV（自定义）”时为 SUV，“SUVmax 百分比（自定义）”时为百分比</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="142"/>
        <source>exclude brain and bladder</source>
        <translation>排除脑和膀胱</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="144"/>
        <source>Delete VOI</source>
        <translation>删除感兴趣区</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="146"/>
        <location filename="../../workstation/ui/voi_panel.py" line="426"/>
        <source>Whole body</source>
        <translation>全身检测</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="147"/>
        <source>detect every lesion with the chosen method</source>
        <translation>用所选方法检测全部病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="149"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="162"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="163"/>
        <source>User value</source>
        <translation>自定义值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="167"/>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="168"/>
        <source>Sphere radius</source>
        <translation>球半径</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="169"/>
        <source>Min. volume</source>
        <translation>最小体积</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="315"/>
        <source>sphere VOI {}: radius {:.1f} mm</source>
        <translation>球形感兴趣区 {}：半径 {:.1f} mm</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="335"/>
        <source>{}: mean {:.2f} SD {:.2f} {}</source>
        <translation>{}：均值 {:.2f} 标准差 {:.2f} {}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="361"/>
        <source>segmenting ({})…</source>
        <translation>正在分割（{}）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="385"/>
        <source>{}: {}, threshold {:.2f} {}, {:.2f} mL, SUVmax {:.2f}</source>
        <translation>{}：{}，阈值 {:.2f} {}，{:.2f} mL，SUVmax {:.2f}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="395"/>
        <source>whole body: cancelled</source>
        <translation>全身检测：已取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="420"/>
        <source>whole-body detection ({})…</source>
        <translation>正在全身检测（{}）…</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="421"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="429"/>
        <source>whole body: {} {:.0f} %</source>
        <translation>全身检测：{} {:.0f} %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="440"/>
        <source>whole body: {} lesions</source>
        <translation>全身检测：{} 个病灶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="486"/>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="539"/>
        <source>Export VOIs as CSV</source>
        <translation>将感兴趣区导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="539"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="549"/>
        <source>Overwrite?</source>
        <translation>覆盖？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="549"/>
        <source>{} already exists. Replace it?</source>
        <translation>{} 已存在，是否替换？</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="553"/>
        <source>Not exported: the file exists and was kept.</source>
        <translation>未导出：文件已存在并被保留。</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="558"/>
        <location filename="../../workstation/ui/voi_panel.py" line="561"/>
        <source>Not exported: {}</source>
        <translation>未导出：{}</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_panel.py" line="564"/>
        <source>Exported {} VOIs to {}</source>
        <translation>已将 {} 个感兴趣区导出到 {}</translation>
    </message>
</context>
<context>
    <name>methods</name>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="19"/>
        <source>fixed SUV 2.5</source>
        <extracomment>The segmentation choices of the viewer: label -&gt; method template ({v} = the user value). The English label is the choice&apos;s identity; the menu shows its translation (context &quot;methods&quot;).</extracomment>
        <translation>固定 SUV 2.5</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="20"/>
        <source>fixed SUV (user)</source>
        <translation>固定 SUV（自定义）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="21"/>
        <source>41 % of SUVmax</source>
        <translation>SUVmax 的 41 %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="22"/>
        <source>50 % of SUVmax</source>
        <translation>SUVmax 的 50 %</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="23"/>
        <source>% of SUVmax (user)</source>
        <translation>SUVmax 百分比（自定义）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="24"/>
        <source>PERCIST (liver)</source>
        <translation>PERCIST（肝脏参考）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/voi_style.py" line="25"/>
        <source>A50 (background-adapted)</source>
        <translation>A50（本底自适应）</translation>
    </message>
</context>
<context>
    <name>names</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="104"/>
        <source>grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="104"/>
        <source>fused-mip</source>
        <translation>融合 + MIP</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="104"/>
        <source>pet</source>
        <translation>PET 协议</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="105"/>
        <source>MR auto</source>
        <translation>MR 自动</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="105"/>
        <source>T1</source>
        <translation>T1</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="105"/>
        <source>T2</source>
        <translation>T2</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="106"/>
        <source>soft tissue</source>
        <translation>软组织</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="106"/>
        <source>lung</source>
        <translation>肺窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="107"/>
        <source>bone</source>
        <translation>骨窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="107"/>
        <source>brain</source>
        <translation>脑窗</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="108"/>
        <source>liver</source>
        <translation>肝脏</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="109"/>
        <source>SUV 0-5</source>
        <translation>SUV 0-5</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="109"/>
        <source>SUV 0-10</source>
        <translation>SUV 0-10</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="110"/>
        <source>SUV 0-15</source>
        <translation>SUV 0-15</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="110"/>
        <source>custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="111"/>
        <source>hot iron</source>
        <translation>热铁</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="111"/>
        <source>rainbow</source>
        <translation>彩虹</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="112"/>
        <source>grey</source>
        <translation>灰阶</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="112"/>
        <source>inverted grey</source>
        <translation>反相灰阶</translation>
    </message>
</context>
<context>
    <name>overlay</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="122"/>
        <source>(patient hidden)</source>
        <translation>（患者信息已隐藏）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="122"/>
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="123"/>
        <source>Study</source>
        <translation>检查</translation>
    </message>
</context>
<context>
    <name>render</name>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117"/>
        <source>CT</source>
        <translation>CT</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117"/>
        <source>PET</source>
        <translation>PET</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="117"/>
        <source>Fused</source>
        <translation>融合</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="118"/>
        <source>MR</source>
        <translation>MR</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="119"/>
        <source>axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="119"/>
        <source>coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="120"/>
        <source>sagittal</source>
        <translation>矢状位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="120"/>
        <source>no data</source>
        <translation>无数据</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="121"/>
        <source>axi</source>
        <translation>轴位</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="121"/>
        <source>cor</source>
        <translation>冠状</translation>
    </message>
    <message>
        <location filename="../../workstation/ui/i18n.py" line="121"/>
        <source>sag</source>
        <translation>矢状</translation>
    </message>
</context>
</TS>
