# The NixOS Settings application as a Nix package.
#
#   nix-build -E 'with import <nixpkgs> { }; callPackage ./packaging/package.nix { }'
#
# Installs two programs, `nixos-settings` (the GUI and CLI) and `nixos-settings-helper`
# (the privileged helper started through pkexec), plus the desktop entry, AppStream
# metadata, icon and the polkit actions (one per helper verb) whose exec.path names this
# package's helper.
{
  lib,
  python3Packages,
  qt6,
  nix,
  git,
  desktop-file-utils,
  appstream,
  runtimeShell,
  coreutils,
}:

let
  appId = "org.nixos_settings.NixOSSettings";
  pyproject = builtins.fromTOML (builtins.readFile ../pyproject.toml);
in
python3Packages.buildPythonApplication {
  pname = "nixos-settings";
  inherit (pyproject.project) version;
  pyproject = true;

  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../pyproject.toml
      (lib.fileset.maybeMissing ../README.md)
      (lib.fileset.maybeMissing ../LICENSE)
      ../gui
      ../resources
      ../tests
      ../packaging/nixos-settings-helper.in
    ];
  };

  build-system = [ python3Packages.setuptools python3Packages.wheel ];

  dependencies = with python3Packages; [
    pyside6
    tree-sitter
    tree-sitter-grammars.tree-sitter-nix
    markdown-it-py
    orjson
    brotli
  ];

  # PyPI splits PySide6 into "PySide6-Essentials"; nixpkgs ships it whole as "PySide6".
  # The grammar binding in nixpkgs is built from the grammar's own release, so its
  # version differs from the PyPI wheel pinned in pyproject.toml.
  pythonRemoveDeps = [ "PySide6-Essentials" ];
  pythonRelaxDeps = [ "tree-sitter" "tree-sitter-nix" ];

  nativeBuildInputs = [ qt6.wrapQtAppsHook ];
  buildInputs = [ qt6.qtbase qt6.qtsvg qt6.qtwayland ];

  # One wrapper only: the Python wrapper also carries the Qt plugin paths.
  dontWrapQtApps = true;
  makeWrapperArgs = [ "\${qtWrapperArgs[@]}" ];

  postInstall = ''
    install -Dm644 resources/${appId}.desktop $out/share/applications/${appId}.desktop
    install -Dm644 resources/${appId}.metainfo.xml $out/share/metainfo/${appId}.metainfo.xml
    install -Dm644 resources/${appId}.svg $out/share/icons/hicolor/scalable/apps/${appId}.svg
    install -Dm644 resources/${appId}.policy $out/share/polkit-1/actions/${appId}.policy
    # pkexec compares the program path literally with these annotations.
    substituteInPlace $out/share/polkit-1/actions/${appId}.policy \
      --replace-fail "@helper@" "$out/bin/nixos-settings-helper"
  '';

  # The helper runs as root: the generated Python wrapper (which passes PYTHONPATH and the
  # caller's environment on) is replaced by packaging/nixos-settings-helper.in, which
  # starts Python isolated in an environment built from nothing.  After the Python
  # wrappers are made (they are made in this phase, before this runs).
  postFixup = ''
    rm -f $out/bin/nixos-settings-helper $out/bin/.nixos-settings-helper-wrapped
    substitute packaging/nixos-settings-helper.in $out/bin/nixos-settings-helper \
      --replace-fail "@shell@" "${runtimeShell}" \
      --replace-fail "@env@" "${coreutils}/bin/env" \
      --replace-fail "@path@" "/run/wrappers/bin:/run/current-system/sw/bin" \
      --replace-fail "@python@" "${python3Packages.python.interpreter}" \
      --replace-fail "@site@" "$out/${python3Packages.python.sitePackages}"
    chmod 555 $out/bin/nixos-settings-helper
  '';

  nativeCheckInputs = with python3Packages; [
    pytestCheckHook
    pytest-qt
    hypothesis
    nix
    git
    desktop-file-utils
    appstream
  ];

  preCheck = ''
    export HOME=$TMPDIR
    export QT_QPA_PLATFORM=offscreen
    export NIX_STATE_DIR=$TMPDIR/nix-state
  '';

  # GUI and long property tests need more than the build sandbox offers reliably.
  pytestFlagsArray = [ "tests/unit" "-m" "not slow" ];

  pythonImportsCheck = [ "nixos_settings" "nixos_settings.helper" ];

  passthru = { inherit appId; };

  meta = {
    description = "Configure NixOS visually while keeping the Nix files byte-exact";
    license = lib.licenses.mit;
    mainProgram = "nixos-settings";
    platforms = lib.platforms.linux;
  };
}
