import sys
import time

import pytest

from t2l.job_scheduler import KILLED, SKIPPED, Job, Scheduler


def scheduler(tmp_path, lines):
    # Jobs are tiny Python programs: argv is the code.
    return Scheduler(tmp_path / "logs", command=[sys.executable, "-c"], log=lines.append,
                     poll_s=0.05)


def test_dependencies_order_the_jobs_and_a_failure_skips_its_dependants(tmp_path):
    lines = []
    jobs = scheduler(tmp_path, lines)
    marker = tmp_path / "first.txt"
    jobs.add(Job("first", [f"open({str(marker)!r}, 'w').write('x')"]))
    jobs.add(Job("second", ["import sys, os; sys.exit(0 if os.path.exists("
                            f"{str(marker)!r}) else 3)"], deps=["first"]))
    jobs.add(Job("broken", ["import sys; print('boom'); sys.exit(2)"]))
    jobs.add(Job("needs-broken", ["pass"], deps=["broken"]))
    jobs.add(Job("after-broken", ["pass"], after=["broken"]))
    # A publish step after a training job that never started: nothing to publish.
    jobs.add(Job("after-skipped", ["pass"], after=["needs-broken"]))
    codes = jobs.run(time.time() + 30)
    assert codes == {"first": 0, "second": 0, "broken": 2, "needs-broken": SKIPPED,
                     "after-broken": 0, "after-skipped": SKIPPED}
    assert (tmp_path / "logs" / "broken.log").read_text().strip() == "boom"
    assert any(line.startswith("skip needs-broken") for line in lines)


def test_deadlines_kill_and_argv_resolves_at_start(tmp_path):
    lines = []
    jobs = scheduler(tmp_path, lines)
    started_at = []
    jobs.add(Job("sleeper", ["import time; time.sleep(30)"], deadline=time.time() + 0.5))

    def late_argv():
        started_at.append(jobs.jobs["sleeper"].code)
        return ["pass"]

    jobs.add(Job("late", late_argv, after=["sleeper"]))
    jobs.add(Job("overrun", ["import time; time.sleep(30)"]))
    codes = jobs.run(time.time() + 2)
    assert codes == {"sleeper": KILLED, "late": 0, "overrun": KILLED}
    assert started_at == [KILLED]  # built only once the job it waits for had ended


@pytest.mark.parametrize(
    ("job", "message"),
    [(Job("a", ["pass"]), "already scheduled"), (Job("b", ["pass"], deps=["zzz"]), "unknown")],
)
def test_bad_jobs_are_refused(tmp_path, job, message):
    jobs = scheduler(tmp_path, [])
    jobs.add(Job("a", ["pass"]))
    with pytest.raises(ValueError, match=message):
        jobs.add(job)
