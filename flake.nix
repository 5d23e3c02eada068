{
  description = "NixOS Settings: configure NixOS visually while keeping the Nix files byte-exact";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: rec {
        nixos-settings = pkgs.callPackage ./packaging/package.nix { };
        default = nixos-settings;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/nixos-settings";
        };
      });

      # `nix flake check`: build the package (its unit tests run in checkPhase) and make
      # sure every Nix file of the repository still parses.
      checks = forAllSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
        nix-files-parse = pkgs.runCommand "nixos-settings-nix-files-parse" {
          nativeBuildInputs = [ pkgs.nix ];
        } ''
          export NIX_STATE_DIR=$TMPDIR/nix-state
          for f in ${./flake.nix} ${./packaging/package.nix} ${./packaging/module.nix}; do
            nix-instantiate --parse "$f" > /dev/null
          done
          touch $out
        '';
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
          packages = [
            (pkgs.python3.withPackages (ps: [ ps.pytest ps.pytest-qt ps.hypothesis ps.mypy ps.build ]))
            pkgs.ruff
            pkgs.nix
            pkgs.desktop-file-utils
            pkgs.appstream
          ];
          QT_QPA_PLATFORM = "offscreen";
        };
      });

      nixosModules.default = import ./packaging/module.nix;

      overlays.default = final: _prev: {
        nixos-settings = final.callPackage ./packaging/package.nix { };
      };
    };
}
