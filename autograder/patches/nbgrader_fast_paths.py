"""Three repeated costs of nbgrader's own code in the grading process, removed without changing
what it computes.

`grade` runs the two stages of nbgrader's `Autograde` converter (prepare and score,
`autograder.grade`) for every submission in its one gradebook-writing process. Profiled on the
course's samples, three pieces of nbgrader's code redo the same work for every notebook:

1. **Schema checks.** nbgrader checks every cell's `nbgrader` metadata with
   `jsonschema.validate(metadata, schema)`, and `jsonschema.validate` first checks the *schema*
   itself against the JSON Schema meta-schema — for every cell, about a fifth of the scoring
   time. Here the schema is checked once and its validator kept; each cell is still validated
   the same way (`iter_errors`, the best match raised), so an invalid cell raises the same
   `ValidationError`.
2. **Database engines.** nbgrader opens a `Gradebook` (a new SQLAlchemy engine) about ten
   times per submission; each new engine connects and initialises its dialect again and
   compiles every query again, since SQLAlchemy's compiled-statement cache lives in the engine.
   Here `nbgrader.api.create_engine` returns one engine per URL for the duration of the grading
   command. `Gradebook.close()` still disposes it — its pooled connections are closed, and the
   next `Gradebook` opens new ones — so sessions, transactions and connections are exactly as
   before; only the engine object and its statement cache are kept.

3. **Schema checks of the gradebook.** Each `Gradebook` also lists the database's tables and
   runs `create_all` (which checks every table again) — about a third of opening one. Here,
   once `create_all` has run on an engine, later gradebooks on that engine skip it, and the
   table listing (used only to ask "are there tables?") is answered from the list taken then.

All three are active only inside `nbgrader_fast_paths()`, and only in the process that enters
it. A speed patch (`PATCH`): outside its tested versions `grade` runs without it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

from autograder.patches.gate import SPEED, Patch, TestedRange

__all__ = ["PATCH", "nbgrader_fast_paths", "CachedSchemaValidation", "EngineCache",
           "TablesCreatedOnce"]

PATCH = Patch(
    name="nbgrader_fast_paths",
    title="the gradebook fast paths",
    patches="the gradebook fast paths (nbgrader.nbgraderformat.common.jsonschema, "
            "nbgrader.api.create_engine, nbgrader.api.inspect, Base.metadata.create_all)",
    why="nbgrader checks its metadata schema for every cell and opens a new database engine, "
        "and checks its tables, about ten times per submission",
    kind=SPEED,
    tested=(TestedRange("nbgrader", "0.9.6", "0.10"), TestedRange("sqlalchemy", "2.1.9", "2.2"),
            TestedRange("jsonschema", "4.26.0", "4.27")),
)


class CachedSchemaValidation:
    """Stands in for the `jsonschema` module in `nbgrader.nbgraderformat.common`: `validate`
    with the schema checked once per distinct schema; every other name is jsonschema's."""

    def __init__(self, jsonschema: Any) -> None:
        self._jsonschema = jsonschema
        self._validators: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jsonschema, name)

    def validator(self, schema: dict) -> Any:
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            cls = self._jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)  # raises SchemaError for a bad schema, as validate does
            validator = self._validators[key] = cls(schema)
        return validator

    def validate(self, instance: Any, schema: dict, cls: Any = None, *args: Any,
                 **kwargs: Any) -> None:
        """`jsonschema.validate(instance, schema)`, the schema checked once."""
        if cls is not None or args or kwargs:
            self._jsonschema.validate(instance, schema, cls, *args, **kwargs)
            return
        error = self._jsonschema.exceptions.best_match(
            self.validator(schema).iter_errors(instance))
        if error is not None:
            raise error


class EngineCache:
    """Stands in for `sqlalchemy.create_engine` in `nbgrader.api`: one engine per URL and
    arguments."""

    def __init__(self, create_engine: Any) -> None:
        self._create_engine = create_engine
        self._engines: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, url: Any, **kwargs: Any) -> Any:
        key = json.dumps([str(url), sorted((k, repr(v)) for k, v in kwargs.items())])
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                engine = self._engines[key] = self._create_engine(url, **kwargs)
            return engine

    def dispose_all(self) -> None:
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


class _KnownTables:
    """What `inspect(engine)` is asked for in `Gradebook.__init__`: the table names."""

    def __init__(self, names: list[str]) -> None:
        self._names = names

    def get_table_names(self) -> list[str]:
        return list(self._names)


class TablesCreatedOnce:
    """Stands in for `inspect` in `nbgrader.api` and for `Base.metadata.create_all`: after
    `create_all` has run on an engine, it is not run again on it, and `inspect(engine)` answers
    the table names taken then (anything else is SQLAlchemy's own answer)."""

    def __init__(self, inspect: Any, create_all: Any) -> None:
        self._inspect, self._create_all = inspect, create_all
        self._tables: dict[int, tuple[Any, list[str]]] = {}  # id(engine) → (engine, names)
        self._lock = threading.Lock()

    def _known(self, engine: Any) -> list[str] | None:
        known = self._tables.get(id(engine))
        return known[1] if known is not None and known[0] is engine else None

    def inspect(self, subject: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            names = self._known(subject)
        if names is None:
            return self._inspect(subject, *args, **kwargs)
        return _KnownTables(names)

    def create_all(self, bind: Any, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            if not args and not kwargs and self._known(bind) is not None:
                return
            self._create_all(bind, *args, **kwargs)
            if not args and not kwargs:
                self._tables[id(bind)] = (bind, self._inspect(bind).get_table_names())


_lock = threading.Lock()
_depth = 0


@contextlib.contextmanager
def nbgrader_fast_paths() -> Iterator[None]:
    """Within the block, nbgrader validates cell metadata with cached schema validators,
    reuses one database engine per gradebook URL and creates its tables once per engine (see
    the module's docstring). Re-entrant."""
    global _depth
    import nbgrader.api
    import nbgrader.nbgraderformat.common as common

    with _lock:
        _depth += 1
        outermost = _depth == 1
        if outermost:
            saved = (common.jsonschema, nbgrader.api.create_engine, nbgrader.api.inspect)
            common.jsonschema = CachedSchemaValidation(common.jsonschema)
            engines = nbgrader.api.create_engine = EngineCache(nbgrader.api.create_engine)
            metadata = nbgrader.api.Base.metadata
            tables = TablesCreatedOnce(nbgrader.api.inspect, metadata.create_all)
            nbgrader.api.inspect = tables.inspect
            metadata.create_all = tables.create_all
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if outermost:
                common.jsonschema, nbgrader.api.create_engine, nbgrader.api.inspect = saved
                del metadata.create_all  # the class's method again
                engines.dispose_all()
