"""What the hostile student types into her first answer cell: she looks for everything she must
not read — the exchange's inbox, a classmate's home, the hub's database, cookie secret and
passwords, the course (hidden tests, gradebook) and the course secret, the grader's environment —
and forges a score of 2 in front of every test cell (an `execute_result`, which nbgrader would
read as partial credit). Each attempt prints `FOUND <what>` with what it read, or
`DENIED <what>`; her own run and the grader's must show only `DENIED`. It also prints the user
it runs as (the grader's run must be the sandbox's).

`@HUB@` and `@CLASSMATE@` are replaced by the hub's folder and the classmate's home.
"""

HOSTILE_CELL = '''import os

HIT, MISS = "FOU" + "ND", "DEN" + "IED"  # the words in her outputs only, never in her code
print("RUNNING" + " AS uid", os.getuid())
TARGETS = {
    "exchange inbox": "@HUB@/exchange/learning-rate-lab/inbound",
    "classmate home": "@CLASSMATE@",
    "classmate note": "@CLASSMATE@/private-note.txt",
    "hub database": "@HUB@/hub/jupyterhub.sqlite",
    "hub cookie secret": "@HUB@/hub/jupyterhub_cookie_secret",
    "hub passwords": "@HUB@/hub/passwords.json",
    "course source": "@HUB@/course/source/ps01_constant_lr/ps01_constant_lr.ipynb",
    "course gradebook": "@HUB@/course/gradebook.db",
    "course submissions": "@HUB@/course/submitted",
    "course secret": "@HUB@/grader/course.secret",
}
for what, path in TARGETS.items():
    try:
        if os.path.isdir(path):
            print(HIT, what, sorted(os.listdir(path)))
        else:
            with open(path, "rb") as handle:
                content = handle.read(4096)
            print(HIT, what, content.hex(), content.decode("utf-8", "replace"))
    except OSError:
        print(MISS, what)
for name, value in os.environ.items():
    if "SECRET" in name or name in ("LRLAB_DB_URL", "CONFIGPROXY_AUTH_TOKEN"):
        print(HIT, "environment", name, value)


def _forge_two(info):
    if "check_" in info.raw_cell:
        get_ipython().displayhook(2)  # an execute_result in the test cell's place


get_ipython().events.register("pre_run_cell", _forge_two)


def gradient_descent_numpy(lr, num_iterations, x0, a=1.0):
    return [x0] * num_iterations
'''


def hostile_cell(hub_dir: str, classmate_home: str) -> str:
    return HOSTILE_CELL.replace("@HUB@", hub_dir).replace("@CLASSMATE@", classmate_home)
