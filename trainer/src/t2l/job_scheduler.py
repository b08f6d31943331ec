"""Parallel command-line jobs with dependencies and deadlines, for time-boxed pipelines.

A job starts once every job in `deps` succeeded (a failed one means it never runs) and every
job in `after` ended, however, having started (one skipped leaves nothing to act on, so this one
is skipped too); past its own deadline, or the scheduler's, it is killed. Each
job's output goes to `<logs>/<name>.log`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

SKIPPED = -1  # a dependency failed, or a job it waits for never ran
KILLED = -9  # past a deadline


@dataclass
class Job:
    name: str
    argv: list[str] | Callable[[], list[str]]  # a callable is resolved when the job starts
    deps: list[str] = field(default_factory=list)  # must succeed first
    after: list[str] = field(default_factory=list)  # must have run and ended, however
    deadline: float | None = None  # epoch seconds
    process: subprocess.Popen | None = None
    started: float | None = None
    ended: float | None = None
    code: int | None = None
    output: IO[str] | None = None


class Scheduler:
    def __init__(
        self, logs: Path, *, command: list[str] | None = None, env: dict[str, str] | None = None,
        log: Callable[[str], None] = print, poll_s: float = 0.5,
    ) -> None:
        self.logs = logs
        self.command = command if command is not None else [sys.executable, "-m", "t2l.cli"]
        self.env = {**os.environ, **(env or {})}
        self.log = log
        self.poll_s = poll_s
        self.jobs: dict[str, Job] = {}
        logs.mkdir(parents=True, exist_ok=True)

    def add(self, job: Job) -> None:
        if job.name in self.jobs:
            raise ValueError(f"job {job.name!r} is already scheduled")
        if unknown := [n for n in job.deps + job.after if n not in self.jobs]:
            raise ValueError(f"job {job.name!r} waits for unknown jobs {unknown}; add them first")
        self.jobs[job.name] = job

    def run(self, until: float) -> dict[str, int | None]:
        """Run until every job ended or `until` passed; -> exit code per job."""
        while time.time() < until:
            pending = [j for j in self.jobs.values() if j.code is None]
            if not pending:
                break
            for job in pending:
                self._advance(job)
            time.sleep(self.poll_s)
        for job in self.jobs.values():
            if job.process is not None and job.code is None:
                self._kill(job, "out of time")
        return {name: job.code for name, job in self.jobs.items()}

    def _advance(self, job: Job) -> None:
        if job.process is None:
            ready = self._ready(job)
            if ready is None:
                job.code = SKIPPED
                self.log(f"skip {job.name}: a dependency failed or never ran")
            elif ready:
                self._start(job)
        elif (code := job.process.poll()) is not None:
            self._finish(job, code)
            self.log(f"done {job.name}: exit {code} in {job.ended - job.started:.0f}s")
        elif job.deadline is not None and time.time() > job.deadline:
            self._kill(job, "at its deadline")

    def _ready(self, job: Job) -> bool | None:
        """True: start it; False: wait; None: a dependency failed, or a job it comes after
        never ran, so it never runs."""
        if any(self.jobs[name].code is None for name in job.after):
            return False
        if any(self.jobs[name].code == SKIPPED for name in job.after):
            return None
        codes = [self.jobs[name].code for name in job.deps]
        if any(code is not None and code != 0 for code in codes):
            return None
        return all(code == 0 for code in codes)

    def _start(self, job: Job) -> None:
        if callable(job.argv):
            job.argv = job.argv()
        job.output = open(self.logs / f"{job.name}.log", "w")  # noqa: SIM115 - closed in _finish
        job.process = subprocess.Popen([*self.command, *job.argv], stdout=job.output,
                                       stderr=subprocess.STDOUT, env=self.env)
        job.started = time.time()
        self.log(f"start {job.name}: {' '.join(job.argv)}")

    def _kill(self, job: Job, why: str) -> None:
        assert job.process is not None
        job.process.kill()
        job.process.wait()
        self._finish(job, KILLED)
        self.log(f"killed {job.name} {why}")

    def _finish(self, job: Job, code: int) -> None:
        job.code, job.ended = code, time.time()
        if job.output is not None:
            job.output.close()
