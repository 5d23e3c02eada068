"""Option sources: local files, channel download over a real local HTTP server, Nix
evaluation through stand-ins replaying recorded real output, and the real nix-instantiate."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

from nixos_settings.core.common.errors import OptionsError
from nixos_settings.core.options import cache as optcache
from nixos_settings.core.options import sources
from nixos_settings.core.options.model import load_file
from nixos_settings.core.options.sources import Cancelled, NixEvalError, resolve_options

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "tests" / "fixtures" / "options"
STANDINS = REPO / "tests" / "standins" / "nix-eval"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "nixos-settings"


@pytest.fixture
def standin_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{STANDINS}{os.pathsep}{os.environ['PATH']}")


# --------------------------------------------------------------------------- local files


def test_local_file_is_cached(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = resolve_options(str(FIX / "modern.json"), None)
    assert len(first) == 9 and first.source.kind == "file"
    assert len(optcache.entries()) == 1

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("must come from the cache")

    monkeypatch.setattr(sources, "load_file", boom)
    again = resolve_options(str(FIX / "modern.json"), None)
    assert [o.name for o in again] == [o.name for o in first]
    assert again.source.label == "options file modern.json"


def test_missing_file_is_an_error() -> None:
    with pytest.raises(OptionsError, match="cannot read options file"):
        resolve_options("/nonexistent/options.json", None)


def test_nothing_available_gives_empty_set_with_problem() -> None:
    s = resolve_options(None, None)
    assert len(s) == 0 and s.problem is not None and "--options FILE" in s.problem


def test_best_available_is_newest_cache() -> None:
    resolve_options(str(FIX / "legacy-2020.json"), None)
    time.sleep(0.01)
    resolve_options(str(FIX / "modern.json"), None)
    best = resolve_options(None, None)
    assert best.source.label == "options file modern.json" and len(best) == 9


def test_home_manager_json_file() -> None:
    s = resolve_options(f"home-manager:{FIX / 'modern.json'}", None)
    assert s.source.kind == "home-manager" and len(s) == 9


# --------------------------------------------------------------------------- channel


class _Server:
    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a: object, **k: object) -> None:
                super().__init__(*a, directory=str(root), **k)  # type: ignore[arg-type]

            def log_message(self, *a: object) -> None:
                outer.requests.append(self.path)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def channel_root(tmp_path: Path, shared_dir: Path) -> Path:
    root = tmp_path / "www"
    ch = root / "nixos-20.09"
    ch.mkdir(parents=True)
    import gzip

    raw = gzip.decompress(
        (shared_dir / "data" / "options" / "nixos-20.09pre-options.json.gz").read_bytes()
    )
    (ch / "options.json.br").write_bytes(brotli.compress(raw, quality=5))
    (ch / "git-revision").write_text("13b5fc1e4cd12c1ce99defc60ee59e6cd3631880\n")
    return root


@pytest.fixture
def server(channel_root: Path) -> Iterator[_Server]:
    srv = _Server(channel_root)
    yield srv
    srv.stop()


def test_channel_download_progress_cache_and_offline(server: _Server, private_cache: Path) -> None:
    seen: list[tuple[str, float | None]] = []
    s = resolve_options(
        "channel:nixos-20.09", None, lambda m, f: seen.append((m, f)), base_url=server.url
    )
    assert len(s) == 9603
    assert (
        s.source.kind == "channel"
        and s.source.revision == "13b5fc1e4cd12c1ce99defc60ee59e6cd3631880"
    )
    fractions = [f for _, f in seen if f is not None]
    assert fractions and fractions[-1] == pytest.approx(1.0) and fractions == sorted(fractions)
    assert "/nixos-20.09/options.json.br" in "".join(server.requests)

    # same revision: no second download of the big file
    server.requests.clear()
    again = resolve_options("channel:nixos-20.09", None, base_url=server.url)
    assert len(again) == 9603 and server.requests == ["/nixos-20.09/git-revision"]

    # offline afterwards: the cached copy, with a note
    url = server.url
    server.stop()
    offline = resolve_options("channel:nixos-20.09", None, base_url=url)
    assert len(offline) == 9603 and offline.problem is not None and "offline" in offline.problem


def test_channel_new_revision_downloads_again(server: _Server, channel_root: Path) -> None:
    resolve_options("channel:nixos-20.09", None, base_url=server.url)
    (channel_root / "nixos-20.09" / "git-revision").write_text("0" * 40 + "\n")
    server.requests.clear()
    s = resolve_options("channel:nixos-20.09", None, base_url=server.url)
    assert s.source.revision == "0" * 40
    assert "/nixos-20.09/options.json.br" in server.requests


def test_channel_missing_is_http_error(server: _Server) -> None:
    with pytest.raises(OptionsError, match="HTTP 404"):
        resolve_options("channel:nixos-99.99", None, base_url=server.url)


def test_channel_download_can_be_cancelled(server: _Server) -> None:
    ev = threading.Event()

    def progress(msg: str, frac: float | None) -> None:
        ev.set()  # cancel as soon as the first chunk arrived

    with pytest.raises(Cancelled):
        resolve_options("channel:nixos-20.09", None, progress, ev, base_url=server.url)


def test_channel_for_system(standin_path: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sources.channel_for_system("24.05.20240601.abcdef0 (Uakari)") == "nixos-24.05"
    assert sources.channel_for_system("24.11pre123456.abc (Vicuna)") == "nixos-unstable"
    monkeypatch.setenv("STANDIN_NIXOS_VERSION", "20.09.1234.deadbee (Nightingale)")
    assert sources.channel_for_system() == "nixos-20.09"


# --------------------------------------------------------------------------- Nix via stand-ins


def test_eval_with_recorded_output(
    standin_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "my config" / "configuration.nix"
    cfg.parent.mkdir()
    cfg.write_text("{ ... }: { }\n")
    argv_file = tmp_path / "argv.json"
    monkeypatch.setenv("STANDIN_NIX_STDOUT", str(FIX / "eval-recorded.json"))
    monkeypatch.setenv("STANDIN_NIX_ARGV", str(argv_file))
    seen: list[str] = []
    s = resolve_options("eval", cfg, lambda m, f: seen.append(m))
    assert sorted(o.name for o in s) == [
        "my.users",
        "my.users.<name>.admin",
        "services.demo.enable",
        "services.demo.hook",
        "services.demo.port",
    ]
    assert s.source.kind == "eval" and s.source.path == cfg
    argv = json.loads(argv_file.read_text())
    assert argv[1:5] == ["--eval", "--strict", "--json", "-E"]
    assert "import <nixpkgs/nixos>" in argv[5]
    assert f'(/. + "{cfg.resolve()}")' in argv[5] and "optionAttrSetToDocList" in argv[5]
    assert seen and seen[0].startswith("Evaluating")
    # the evaluation was cached: best available for this configuration now returns it,
    # and never for another configuration
    assert resolve_options(None, cfg).source.kind == "eval"
    assert resolve_options(None, None).source.kind == "none"


def test_eval_error_is_nix_text_as_is(
    standin_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_NIX_STDERR", str(FIX / "eval-error.txt"))
    monkeypatch.setenv("STANDIN_NIX_EXIT", "1")
    with pytest.raises(NixEvalError) as ei:
        resolve_options("eval", tmp_path / "configuration.nix")
    recorded = (FIX / "eval-error.txt").read_text()
    assert ei.value.details == recorded
    assert ei.value.message == recorded.splitlines()[0]
    assert optcache.entries() == []


def test_eval_cancel_kills_the_process(
    standin_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("STANDIN_NIX_SLEEP", "30")
    monkeypatch.setenv("STANDIN_NIX_PID", str(pid_file))
    ev = threading.Event()
    threading.Timer(0.5, ev.set).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        resolve_options("eval", tmp_path / "configuration.nix", cancel=ev)
    assert time.monotonic() - t0 < 5
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_flake_eval_uses_nix_eval(
    standin_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv_file = tmp_path / "argv.json"
    monkeypatch.setenv("STANDIN_NIX_STDOUT", str(FIX / "eval-recorded.json"))
    monkeypatch.setenv("STANDIN_NIX_ARGV", str(argv_file))
    flake = tmp_path / "flake"
    flake.mkdir()
    s = resolve_options(f"flake:{flake}#my-host", None)
    assert len(s) == 5 and s.source.kind == "flake" and s.source.label.endswith("#my-host")
    argv = json.loads(argv_file.read_text())
    assert Path(argv[0]).name == "nix" and "eval" in argv and "--json" in argv
    expr = argv[-1]
    assert f'builtins.getFlake "{flake.resolve()}"' in expr
    assert 'nixosConfigurations."my-host"' in expr


def test_home_manager_eval(
    standin_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv_file = tmp_path / "argv.json"
    monkeypatch.setenv("STANDIN_NIX_STDOUT", str(FIX / "eval-recorded.json"))
    monkeypatch.setenv("STANDIN_NIX_ARGV", str(argv_file))
    home = tmp_path / "home.nix"
    home.write_text("{ ... }: { }\n")
    s = resolve_options(f"home-manager:{home}", None)
    assert s.source.kind == "home-manager"
    assert "<home-manager/modules>" in json.loads(argv_file.read_text())[-1]


def test_bad_specs() -> None:
    with pytest.raises(OptionsError, match="flake:<path>#<host>"):
        resolve_options("flake:/x", None)
    with pytest.raises(OptionsError, match="needs a configuration"):
        resolve_options("eval", None)
    with pytest.raises(OptionsError, match="invalid channel"):
        resolve_options("channel:../etc", None)


# --------------------------------------------------------------------------- real Nix


@pytest.mark.nix
@pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="needs nix-instantiate")
def test_real_nix_evaluates_our_doc_list_code() -> None:
    """The Nix code that filters and keys the doc list runs on the real evaluator."""
    expr = sources.doc_list_to_options_expr(f"import {FIX / 'mini-doclist.nix'}")
    src = sources.SourceInfo("eval", "mini")
    s = sources.evaluate_expr(expr, src)
    names = sorted(o.name for o in s)
    assert "services.demo.secretState" not in names  # internal
    assert "services.demo.hiddenKnob" not in names  # visible = false
    hook = s.get(("services", "demo", "hook"))
    assert hook is not None and hook.default is not None and hook.default.value == "<function>"
    port = s.get(("services", "demo", "port"))
    assert port is not None and port.example is not None and port.example.text == "9090"
    enable = s.get(("services", "demo", "enable"))
    assert enable is not None and enable.declarations[0].name == "/etc/nixos/modules/demo.nix"
    admin = s.match(("my", "users", "alice", "admin"))
    assert admin is not None and admin.type == "boolean"
    # and the recorded fixture the stand-in replays is exactly this real output
    recorded = load_file(FIX / "eval-recorded.json")
    assert [o.loc for o in recorded] == [o.loc for o in s]
    assert [o.default for o in recorded] == [o.default for o in s]


@pytest.mark.nix
@pytest.mark.skipif(shutil.which("nix-instantiate") is None, reason="needs nix-instantiate")
def test_real_nix_error_without_nixpkgs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIX_PATH", "")
    with pytest.raises(NixEvalError) as ei:
        sources.evaluate_channel(tmp_path / "configuration.nix")
    assert "nixpkgs/nixos" in ei.value.message and "error:" in ei.value.details
