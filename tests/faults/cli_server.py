"""Test helpers: a small corpus written into a folder, and a client for the fork server of
``fake_cli.py`` (the ``verify`` CLI with fake models, one forked process per command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAKE_CLI = Path(__file__).resolve().parent / "fake_cli.py"
ROOT = FAKE_CLI.parent.parent.parent


def write_corpus(folder: Path, n: int, *, start: int = 1) -> list[Path]:
    """``n`` short Markdown stories (two passages each), half with a URL."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        url = f"url: https://news{i % 4}.example.com/s/{i}\n" if i % 2 else ""
        path = folder / f"story-{i:03d}.md"
        path.write_text(
            f"---\ntitle: Story {i}\n{url}---\n"
            f"The council approved {i} new homes in district {i}. Officials said the plan "
            f"costs {i * 7} million. Residents of district {i} were divided about it. "
            f"A vote on plan {i} follows in {2000 + i}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a CLI subprocess: VERIFY_HOME and no inherited workspace."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFY_")}
    env.update({"VERIFY_HOME": str(home), "PYTHONPATH": str(ROOT)}, **extra)
    return env


@dataclass
class Result:
    """One command's exit code (negative: killed by that signal) and output."""

    rc: int
    output: str


class ForkServer:
    """Runs CLI commands in children forked from one warm process."""

    def __init__(self, home: Path, scratch: Path) -> None:
        self.home = home
        self.scratch = scratch
        self.count = 0
        self.proc = subprocess.Popen(
            [sys.executable, str(FAKE_CLI), "--serve"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, cwd=ROOT, env=cli_env(home))
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line or not json.loads(line).get("ready"):
            raise RuntimeError("the fork server did not start")

    def run(self, *argv: str, **env: Any) -> Result:
        """Run ``verify <argv>`` with extra environment variables."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.count += 1
        out = self.scratch / f"cmd-{self.count}.out"
        request = {"argv": list(argv), "env": {k: str(v) for k, v in env.items()}, "out": str(out)}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return Result(int(answer["rc"]), out.read_text(encoding="utf-8", errors="replace"))

    def close(self) -> None:
        """Stop the server."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
