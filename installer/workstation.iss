; Inno Setup script: a per-user Windows installer for the one-folder PyInstaller build.
; Build on Windows after `pyinstaller installer\workstation.spec` (see .github/workflows/windows-installer.yml):
;   iscc /DAppVersion=0.1.0 installer\workstation.iss      -> dist\installer\pet-workstation-setup-0.1.0.exe
; Not built or run on the Linux development machines; kept minimal so that it is easy to check by eye.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6B0F3E52-7C1D-4E58-9B1A-2F4C8D5E7A31}
AppName=PET/CT Workstation
AppVersion={#AppVersion}
AppPublisher=PET/CT Workstation contributors
DefaultDirName={localappdata}\Programs\PET-Workstation
DefaultGroupName=PET/CT Workstation
PrivilegesRequired=lowest
OutputDir=..\dist\installer
OutputBaseFilename=pet-workstation-setup-{#AppVersion}
SetupIconFile=..\build\icon\workstation.ico
UninstallDisplayIcon={app}\workstation-viewer.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ShowLanguageDialog=auto

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
Source: "..\dist\workstation\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\PET/CT Workstation"; Filename: "{app}\workstation-viewer.exe"
Name: "{group}\Uninstall PET/CT Workstation"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\workstation-viewer.exe"; Description: "Start PET/CT Workstation"; Flags: nowait postinstall skipifsilent
