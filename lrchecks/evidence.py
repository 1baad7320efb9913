"""Evidence: what a check saw of the student's work, so the grader can judge it again outside.

Inside a student's kernel nothing is safe from the student's code: a cell can replace a check,
`numpy.allclose` or the whole `autograder` package. So while grading, a check does not only
decide; it also *records* what it asked and what the student's code answered, and the grader
replays the check — its own, unaltered code and reference values, in its own process — on those
answers (the grader's judge). Only the grader's verdict scores.

- `judged` wraps every check a test cell calls. While grading (`LRLAB_EVIDENCE=1`, set by the
  sandbox) the outermost check records its student arguments (figures as data, see
  `figure_data`) and every call it makes to the student's code, and publishes the record — when
  the check passes and when it fails — as a `display_data` output of MIME type `EVIDENCE_MIME`.
- `student_call` is the one way checks call students' code (`calls.call_student` uses it): it
  records the arguments' digest and the answer; in replay it returns the recorded answer for the
  same call — and refuses a call the record does not have. The check's own objects that the
  student's code changes (a step function counting its calls) record their state after the
  call, and get it back in replay; so do arrays, lists, dicts and tensors the student's code
  changed in place. A call of the course's own reference
  code (lrcore, lrchecks, autograder) on plain data is not recorded: the grader computes it
  itself; on anything else (a student's object) the grader refuses the kernel's answer — a check
  must hand the grader data it can recompute from (a model's weights, a schedule's values).
- `asked` marks where a check has asked the student's code all it will (`lrchecks.asking`):
  while grading, the kernel stops the check there and publishes the record; the judge runs the
  rest — references, comparisons, diagnosis — alone. Validate runs the whole check.
- `record_problem` says why a record is not one a check wrote; `replay_check` runs a check in
  the grader on a record.

A student who forges a record must forge *correct answers to the grader's questions*: the
questions (arguments) and the comparison are the grader's.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lrchecks import call_effects as effects
from lrchecks.encoding import (
    REFERENCE_PACKAGES,
    TAG,
    EvidenceMismatch,
    StandIn,
    decode,
    digest,
    encode,
    has_tag,
    is_data,
)
from lrchecks.report import CheckFailed

__all__ = ["EVIDENCE_MIME", "ENVIRONMENT_SWITCH", "EvidenceMismatch", "judged", "student_call",
           "record_problem", "replay_check", "replaying", "check_id", "recording_enabled",
           "asked", "Replayed"]

EVIDENCE_MIME = "application/vnd.lrlab.evidence+json"
ENVIRONMENT_SWITCH = "LRLAB_EVIDENCE"
RECORD_VERSION = 1

Check = TypeVar("Check", bound=Callable[..., Any])


@dataclass
class Session:
    """The calls of one check: being recorded (in the kernel) or replayed (in the grader)."""

    replay: bool
    calls: list[dict[str, Any]] = field(default_factory=list)
    position: int = 0
    depth: int = 0  # checks called by the check (their `asked` is not the check's)
    asked: bool = False  # the check reached `asked`: in the kernel, nothing was decided


class _AskedAll(BaseException):
    """The kernel's check has asked everything while grading: the judge decides the rest. A
    BaseException, so that no `except Exception` of a check's or the student's stops it."""


_sessions: list[Session] = []


def check_id(check: Callable[..., Any]) -> str:
    return f"{check.__module__}.{check.__qualname__}"


def recording_enabled() -> bool:
    """Record while grading: the sandbox sets the switch; a student's own Jupyter does not."""
    return os.environ.get(ENVIRONMENT_SWITCH) == "1"


def _is_reference(function: Any) -> bool:
    if isinstance(function, StandIn):
        return False
    module = getattr(function, "__module__", None) or ""
    return module.split(".")[0] in REFERENCE_PACKAGES


def _recorded_error(kind: str, message: str) -> Exception:
    """The student's exception, as the grader re-raises it: same class name, same message."""
    return type(str(kind), (Exception,), {"__module__": "student"})(str(message))


def student_call(function: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`function(*args, **kwargs)` — recorded while grading, answered from the record in replay.

    Exceptions propagate (in replay: an exception of the same class name and message).
    """
    session = _sessions[-1] if _sessions else None
    if session is None:
        return function(*args, **kwargs)
    # each argument encoded once: for the question's digest and for what the call changes
    encoded: dict[int | str, Any] = {i: encode(arg) for i, arg in enumerate(args)}
    encoded.update({key: encode(value) for key, value in kwargs.items()})
    question = [name, [encoded[i] for i in range(len(args))],
                {TAG: "dict", "items": [[k, encoded[k]] for k in kwargs]}]
    if _is_reference(function) and is_data(question):
        return function(*args, **kwargs)  # course code on plain data: computed, not recorded
    key = digest(question)
    if session.replay:
        if _is_reference(function):
            # what the course's code answered *in the kernel* (about a student's object): the
            # student could have patched that code, so the grader never accepts it
            raise EvidenceMismatch(f"{name} was computed by the course's code inside the "
                                   "notebook, where it can be altered")
        return _answer(session, name, key, effects.watched(args, kwargs), args, kwargs)
    watched = effects.watched(args, kwargs)
    before = {place: encoded[place] for place, _ in effects.containers(args, kwargs)}
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        session.calls.append({"name": name, "args": key, "after": effects.states(watched),
                              "changed": effects.changes(before, args, kwargs),
                              "error": [type(error).__name__, str(error)]})
        raise
    answer = encode(result)
    session.calls.append({"name": name, "args": key, "after": effects.states(watched),
                          "changed": effects.changes(before, args, kwargs), "result": answer})
    # plain data goes on as the grader will see it, so both judge the same values
    return decode(answer) if is_data(answer) else result


def _answer(session: Session, name: str, key: str, watched: list[Any],
            args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if session.position >= len(session.calls):
        raise EvidenceMismatch(f"the record has no answer for {name}(…)")
    call = session.calls[session.position]
    session.position += 1
    if call.get("name") != name or call.get("args") != key:
        raise EvidenceMismatch(f"the record answers {call.get('name')}(…) with other "
                               f"arguments where the check calls {name}(…)")
    states = call.get("after", [])
    if not isinstance(states, list) or len(states) != len(watched):
        raise EvidenceMismatch(f"the record of {name}(…) does not say what the call changed")
    for value, state in zip(watched, states, strict=True):
        value.restore_evidence_state(decode(state))
    places = dict(effects.containers(args, kwargs))
    for place, value in call.get("changed", []):
        if place not in places:
            raise EvidenceMismatch(f"the record of {name}(…) changes an argument it was not "
                                   "given")
        effects.change_in_place(places[place], decode(value))
    if "error" in call:
        kind, message = call["error"]
        raise _recorded_error(kind, message)
    return decode(call["result"])


@contextlib.contextmanager
def replaying(calls: list[dict[str, Any]]) -> Iterator[Session]:
    session = Session(replay=True, calls=list(calls))
    _sessions.append(session)
    try:
        yield session
    finally:
        _sessions.remove(session)


def _publish(record: dict[str, Any]) -> None:
    from IPython.display import publish_display_data

    publish_display_data({EVIDENCE_MIME: record, "text/plain": ""})


def _record(check: Callable[..., Any], encoded_args: list[Any], kwargs: dict[str, Any],
            session: Session, failed: bool) -> dict[str, Any]:
    """What the kernel publishes; `asked` (the check stopped at `asked`, leaving the decision
    to the judge) is for a reader of the record and the tests — the judge never trusts it."""
    return {"version": RECORD_VERSION, "check": check_id(check), "args": encoded_args,
            "kwargs": encode(kwargs), "calls": session.calls, "failed": failed,
            "asked": session.asked}


def asked() -> None:
    """The check has asked the student's code all it will; what follows decides. While
    grading, the kernel stops the check here (its record is published, the cell stays silent)
    and the judge alone computes the references and the verdict; in replay and in Validate
    this does nothing. A check called by another check never stops its caller."""
    session = _sessions[-1] if _sessions else None
    if session is None or session.depth:
        return
    session.asked = True
    if not session.replay:
        raise _AskedAll


@contextlib.contextmanager
def _nested(session: Session) -> Iterator[None]:
    session.depth += 1
    try:
        yield
    finally:
        session.depth -= 1


def judged(check: Check) -> Check:
    """Make a check record its evidence while grading (see the module's docstring)."""

    @functools.wraps(check)
    def recording(*args: Any, **kwargs: Any) -> Any:
        if _sessions:
            with _nested(_sessions[-1]):
                return check(*args, **kwargs)
        if not recording_enabled():
            return check(*args, **kwargs)
        encoded_args = [encode(arg) for arg in args]
        try:  # the check sees figures as the grader will: rebuilt from their data
            seen_args = [decode(enc) if has_tag(enc, "figure") else arg
                         for enc, arg in zip(encoded_args, args, strict=True)]
        except Exception as error:
            raise CheckFailed(f"The grader cannot read the figure given to {check.__name__} "
                              f"({type(error).__name__}: {error}); draw it with plain "
                              "matplotlib calls (plot, contourf, legend, set_…).") from None
        session = Session(replay=False)
        _sessions.append(session)
        try:
            result = check(*seen_args, **kwargs)
        except _AskedAll:  # grading: the judge decides, the kernel says nothing
            _publish(_record(check, encoded_args, kwargs, session, failed=False))
            return None
        except CheckFailed:  # the judge replays a failure too, to give its own message
            _publish(_record(check, encoded_args, kwargs, session, failed=True))
            raise
        finally:
            _sessions.remove(session)
        _publish(_record(check, encoded_args, kwargs, session, failed=False))
        return result

    recording.__lrlab_judged__ = True  # type: ignore[attr-defined]
    return recording  # type: ignore[return-value]


def record_problem(check: Callable[..., Any], record: Any, positional: int) -> str | None:
    """Why `record` is not the record `judged` writes for `check` called with `positional`
    arguments — another version, another check's, other arguments, no calls — or None."""
    name = check.__name__
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        return f"the record of {name} is not one the checks write."
    if record.get("check") != check_id(check):
        return (f"the cell calls {name}, but its record comes from another check — "
                "the check was replaced while the notebook ran.")
    if not isinstance(record.get("args"), list) or len(record["args"]) != positional:
        return f"the record of {name} does not hold the arguments the cell passes."
    if not isinstance(record.get("calls"), list):
        return f"the record of {name} has no calls."
    return None


class Replayed(CheckFailed):
    """The check failed in the judge; `decided_outside`: only after its `asked`, so the kernel,
    grading, never decided it (its silence there was no verdict)."""

    def __init__(self, failure: CheckFailed, decided_outside: bool) -> None:
        super().__init__(failure.message, diagnosis=failure.diagnosis)
        self.decided_outside = decided_outside


def replay_check(check: Callable[..., Any], record: dict[str, Any],
                 kwargs: dict[str, Any]) -> list[str]:
    """Run `check` (the grader's own) on a record; returns the lines it printed (its `✓`
    sentence); raises Replayed (a CheckFailed) or EvidenceMismatch."""
    inner = getattr(check, "__wrapped__", check)
    args = [decode(arg) for arg in record.get("args", [])]
    printed = io.StringIO()
    with replaying(record.get("calls", [])) as session, contextlib.redirect_stdout(printed):
        try:
            inner(*args, **kwargs)
        except CheckFailed as failure:
            raise Replayed(failure, session.asked) from None
    if session.position != len(session.calls):
        raise EvidenceMismatch(f"the record has {len(session.calls) - session.position} "
                               "answers the check never asked for")
    return [line for line in printed.getvalue().splitlines() if line.strip()]
