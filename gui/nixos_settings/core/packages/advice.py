"""What to tell the user before a package goes in: a NixOS module that does it better, an
unfree licence, a broken or insecure package.

The module table is this project's own list of programs whose NixOS module does more than
putting the program on the ``PATH``; each entry says why, in a few words.
"""

from __future__ import annotations

from collections.abc import Callable

from nixos_settings.core.common.errors import EditError
from nixos_settings.core.common.records import record
from nixos_settings.core.config.configuration import Configuration
from nixos_settings.core.edit import planning
from nixos_settings.core.edit.plan import Plan, editable_doc
from nixos_settings.core.nix import grammar as g
from nixos_settings.core.nix.grammar import Node
from nixos_settings.core.nix.optpath import Loc
from nixos_settings.core.nix.text import ChangeSet
from nixos_settings.core.packages.catalogue import Package
from nixos_settings.core.packages.edits import insertion
from nixos_settings.core.packages.index import PackageIndex

ALLOW_UNFREE: Loc = ("nixpkgs", "config", "allowUnfree")
PREDICATE: Loc = ("nixpkgs", "config", "allowUnfreePredicate")


@record
class ModuleSuggestion:
    """Turn on ``loc`` instead of (or as well as) installing the package, because ``why``."""

    attr: str
    loc: Loc
    why: str

    @property
    def option(self) -> str:
        return ".".join(self.loc)

    @property
    def sentence(self) -> str:
        """What both faces say before installing the package."""
        return (f"NixOS has a module for {self.attr}: {self.option} = true; {self.why}, "
                "which installing the package alone does not")


_FIREWALL = "opens the ports it needs in the firewall"
MODULES: dict[str, tuple[Loc, str]] = {
    "firefox": (("programs", "firefox", "enable"),
                "it also applies system-wide browser policies and preferences"),
    "steam": (("programs", "steam", "enable"),
              "it also installs the 32-bit graphics libraries and controller rules games need"),
    "docker": (("virtualisation", "docker", "enable"),
               "it runs the Docker service and creates the docker group"),
    "podman": (("virtualisation", "podman", "enable"),
               "it sets up the container runtime and its configuration files"),
    "virtualbox": (("virtualisation", "virtualbox", "host", "enable"),
                   "it loads the kernel modules and creates the vboxusers group"),
    "libvirt": (("virtualisation", "libvirtd", "enable"),
                "it runs the libvirt service and creates the libvirtd group"),
    "wireshark": (("programs", "wireshark", "enable"),
                  "it lets members of the wireshark group capture traffic"),
    "zsh": (("programs", "zsh", "enable"),
            "it registers the shell in /etc/shells and sets up its start-up files"),
    "fish": (("programs", "fish", "enable"),
             "it registers the shell in /etc/shells and sets up completions"),
    "git": (("programs", "git", "enable"), "it can also write a system-wide git configuration"),
    "gnupg": (("programs", "gnupg", "agent", "enable"),
              "it starts the key agent for each user session"),
    "tmux": (("programs", "tmux", "enable"), "it writes a system-wide tmux configuration"),
    "neovim": (("programs", "neovim", "enable"), "it can make Neovim the default editor"),
    "kdeconnect": (("programs", "kdeconnect", "enable"), _FIREWALL),
    "syncthing": (("services", "syncthing", "enable"),
                  "it runs Syncthing as a service and " + _FIREWALL),
    "tailscale": (("services", "tailscale", "enable"),
                  "it runs the Tailscale daemon and " + _FIREWALL),
    "flatpak": (("services", "flatpak", "enable"),
                "it sets up the Flatpak system helper and portals"),
    "openssh": (("services", "openssh", "enable"), "it runs the SSH server and its host keys"),
    "gamemode": (("programs", "gamemode", "enable"),
                 "it runs the daemon and gives it the rights to change priorities"),
    "sway": (("programs", "sway", "enable"),
             "it sets up the session, graphics rights and screen locking"),
    "hyprland": (("programs", "hyprland", "enable"),
                 "it sets up the session, portals and graphics rights"),
    "adb": (("programs", "adb", "enable"),
            "it installs the device rules and creates the adbusers group"),
    "android-tools": (("programs", "adb", "enable"),
                      "it installs the device rules and creates the adbusers group"),
}


def module_for(attr: str, known: Callable[[Loc], bool] | None = None,
               cfg: Configuration | None = None) -> ModuleSuggestion | None:
    """The module to offer before installing ``attr``: None when there is none, the option
    metadata (``known``) does not have it, or the configuration already turns it on."""
    entry = MODULES.get(attr)
    if entry is None:
        return None
    loc, why = entry
    if known is not None and not known(loc):
        return None
    if cfg is not None and any(d.value_text.strip() == "true" for d in cfg.find(loc)):
        return None
    return ModuleSuggestion(attr, loc, why)


def unfree_allowed(cfg: Configuration, pkg: Package) -> bool:
    """Whether the configuration allows this unfree package (allowUnfree, or a predicate
    that names it)."""
    if any(d.value_text.strip() == "true" for d in cfg.find(ALLOW_UNFREE)):
        return True
    names = {f'"{pkg.pname}"', f'"{pkg.attr}"'}
    return any(n in d.value_text for d in cfg.find(PREDICATE) for n in names)


def notices(cfg: Configuration, pkg: Package) -> list[str]:
    """Sentences to show before installing ``pkg``: unfree, broken, insecure."""
    out = []
    if pkg.unfree and not unfree_allowed(cfg, pkg):
        licence = f" (licence: {pkg.license})" if pkg.license else ""
        out.append(f"{pkg.attr} is not free software{licence}: NixOS builds it only when "
                   "unfree software is allowed; set nixpkgs.config.allowUnfree = true; or "
                   f"name {pkg.pname or pkg.attr} in nixpkgs.config.allowUnfreePredicate")
    if pkg.broken:
        out.append(f"{pkg.attr} is marked as broken in this release: building the system "
                   "will probably fail")
    if pkg.insecure:
        out.append(f"{pkg.attr} is marked as insecure (it has known vulnerabilities): NixOS "
                   "refuses to build it unless you allow it in "
                   "nixpkgs.config.permittedInsecurePackages")
    return out


def _string_list(node: Node | None) -> Node | None:
    """The first list literal below ``node`` whose elements are all strings."""
    if node is None:
        return None
    if node.type == g.LIST:
        els = g.elements(node)
        if els and all(e.type == g.STRING for e in els):
            return node
    for child in node.named_children:
        found = _string_list(child)
        if found is not None:
            return found
    return None


def plan_allow_unfree(cfg: Configuration, pkg: Package | None = None) -> ChangeSet:
    """Allow unfree software: every package (``pkg`` None: ``allowUnfree = true``), or just
    ``pkg`` (its name added to ``allowUnfreePredicate``'s list, or a new predicate)."""
    if pkg is None:
        return planning.plan_set(cfg, ALLOW_UNFREE, "true")
    name = pkg.pname or pkg.attr
    found = cfg.find(PREDICATE)
    if not found:
        return planning.plan_set(cfg, PREDICATE, "pkg: builtins.elem "
                                 f'(builtins.parseDrvName pkg.name).name [ "{name}" ]')
    d = found[0]
    lst = _string_list(d.value)
    if lst is None or d.doc is None:
        raise EditError("nixpkgs.config.allowUnfreePredicate is written in a way this app "
                        f"cannot extend; add \"{name}\" to it by hand", d.file, d.line, d.column)
    doc = editable_doc(cfg, d.file)
    items = [(e.start_byte, e.end_byte, g.text(doc.source, e).strip('"'))
             for e in g.elements(lst)]
    if name in [it[2] for it in items]:
        return ChangeSet()
    plan = Plan(cfg, f"allow the unfree package {name}", [PREDICATE])
    plan.add(doc.path, *insertion(doc.source, doc.newline, (lst.start_byte, lst.end_byte),
                                  items, name, f'"{name}"'))
    return plan.build()


def unknown(index: PackageIndex, attrs: list[str]) -> str | None:
    """Why ``attrs`` cannot be installed from this catalogue (a name it does not have, with
    what was probably meant), or None."""
    for attr in attrs:
        if index.get(attr) is None:
            close = index.similar(attr)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            return f"there is no package {attr} in {index.label}{hint}"
    return None
