"""What a user tells a capture about the world it can't reach offline: answers to provider
functions (``--invokes FILE``) and the outputs of other stacks (``--stack-reference
NAME=SOURCE``).

An **invokes file** is YAML or JSON::

    version: 1
    invokes:
      - token: azure-native:storage:listStorageAccountKeys
        args:                           # optional: matches calls whose arguments include these
          accountName: landing
        secret: true                    # optional: the whole result is secret
        result:
          keys:
            - keyName: key1
              value: not-a-real-key
              permissions: FULL

The first entry whose token matches and whose ``args`` are all among the call's (equal
values) answers; an invoke nothing answers is unknown (:mod:`cdcml.capture.invokes`). A
single value is marked secret with Pulumi's own form, ``{"4dabf18193072939515e22adb298388d":
"1b47061264138c4ac30d75fd1eb44270", "value": …}``. Secret values are secrets of the run from
the moment the file is read: no output, report or error carries them.

A **stack reference** names the stack as the program's ``StackReference`` does
(``org/project/stack``) and where its state is: a ``pulumi stack export`` file (or
checkpoint), or a self-managed backend URL (``file://``, ``s3://``, ``azblob://``), in which
the stack of that name is read, as ``policy analyze --backend URL --stack NAME`` reads it.
The reference's ``outputs`` are then that stack's root outputs, secrets staying secret.

A referenced stack's secrets encrypted with the passphrase secrets manager are decrypted
as ``policy analyze`` decrypts a state's (:mod:`cdcml.state.secrets`), with the
passphrase of ``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``: the
program gets the plaintext as a secret output. A wrong passphrase is a one-line error.
Without a passphrase (or with a secrets manager cdcml can't use offline) a secret output
stays ``"[secret]"``, so the reference's outputs are unknown to the program
(:mod:`cdcml.capture.provider`), and :attr:`StackReferences.notes` names the reference and
each output that could not be decrypted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from cdcml import secrets
from cdcml.capture.invokes import InvokeAnswer
from cdcml.errors import CdcmlError
from cdcml.inputs import read_document_file, shorten
from cdcml.model.values import SECRET_SIG, SIG_KEY, contains_hidden_secret, secret_values
from cdcml.state.secrets import StateSecrets

__all__ = [
    "INVOKES_FILE_SCHEMA",
    "AnswersError",
    "StackReferences",
    "answer_secrets",
    "load_invoke_answers",
    "load_stack_references",
    "parse_stack_reference",
]

BACKEND_SCHEMES = ("file://", "s3://", "azblob://")


class AnswersError(CdcmlError):
    """An invokes file or a ``--stack-reference`` is missing or malformed."""


INVOKES_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "cdcml invokes file",
    "type": "object",
    "required": ["invokes"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "invokes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["token", "result"],
                "additionalProperties": False,
                "properties": {
                    "token": {"type": "string", "pattern": r"^[^:\s]+:[^:\s]*:[^:\s]+$"},
                    "args": {"type": "object"},
                    "result": {"type": "object"},
                    "secret": {"type": "boolean"},
                },
            },
        },
    },
}


def _read_document(p: Path, what: str) -> Any:
    return read_document_file(p, name=f"{what} {p}", error=AnswersError)


def _special_value(value: Any) -> str | None:
    """Where *value* holds a signature object other than a well-formed secret."""
    if isinstance(value, Mapping):
        if SIG_KEY in value:
            if value[SIG_KEY] != SECRET_SIG or set(value) != {SIG_KEY, "value"}:
                return "only secrets may use the signature key (with exactly 'value' beside it)"
            return _special_value(value["value"])
        for k, v in value.items():
            problem = _special_value(v)
            if problem is not None:
                return f"{k}: {problem}"
    elif isinstance(value, list):
        for i, v in enumerate(value):
            problem = _special_value(v)
            if problem is not None:
                return f"[{i}]: {problem}"
    return None


def load_invoke_answers(path: str | os.PathLike[str]) -> tuple[InvokeAnswer, ...]:
    """The answers of a YAML or JSON invokes file (a bare list of entries is accepted too),
    in file order; their secret values become secrets of the run."""
    p = Path(path)
    doc = _read_document(p, "invokes file")
    if doc is None:
        doc = {"invokes": []}
    if isinstance(doc, list):
        doc = {"invokes": doc}
    validator = jsonschema.Draft202012Validator(INVOKES_FILE_SCHEMA)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        parts = list(first.absolute_path)
        where = ""
        if len(parts) >= 2 and parts[0] == "invokes":
            where = f" entry #{int(parts[1]) + 1}" + (f" {parts[2]}" if len(parts) > 2 else "")
        elif parts:
            where = f" {parts[0]}"
        raise AnswersError(f"invokes file {p}{where}: {shorten(first.message, 200)}")
    answers = []
    for i, entry in enumerate(doc["invokes"], start=1):
        for key in ("args", "result"):
            problem = _special_value(entry.get(key))
            if problem is not None:
                raise AnswersError(f"invokes file {p} entry #{i} {key}.{problem}")
        answer = InvokeAnswer(
            token=entry["token"],
            result=entry["result"],
            args=entry.get("args"),
            secret=bool(entry.get("secret", False)),
        )
        secrets.remember(*secret_values(answer.answer()))
        answers.append(answer)
    return tuple(answers)


def parse_stack_reference(text: str) -> tuple[str, str]:
    """``(NAME, SOURCE)`` of ``NAME=SOURCE``."""
    name, sep, source = text.partition("=")
    name, source = name.strip(), source.strip()
    if not sep or not name or not source:
        raise AnswersError(
            f"--stack-reference {shorten(text)!r}: expected NAME=SOURCE (the stack's org/project/stack name "
            "and an export file or a backend URL)"
        )
    return name, source


@dataclass(frozen=True)
class StackReferences:
    """The outputs of each stack reference by NAME, and the run's warnings about them."""

    outputs: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _outputs(name: str, source: str, found: StateSecrets) -> Mapping[str, Any]:
    """The root outputs of the stack *name* from *source* (an export file or a backend),
    its secrets decrypted where *found* can."""
    from cdcml.state.decode import load_state, load_state_file

    if source.lower().startswith(BACKEND_SCHEMES):
        from cdcml.state.backends import open_backend

        with open_backend(source) as backend:
            stack = backend.find(name)
            graph = load_state(backend.read(stack), source=stack.url, secrets=found)
    else:
        graph = load_state_file(source, secrets=found)
    return graph.outputs


def _note(name: str, outputs: Mapping[str, Any], found: StateSecrets) -> str | None:
    """The warning naming *name*'s outputs whose secrets could not be decrypted, if any."""
    hidden = sorted(k for k, v in outputs.items() if contains_hidden_secret(v))
    if not hidden:
        return None
    if found.provider == "passphrase":
        why = f"{secrets.PASSPHRASE_HINT} to decrypt them"
    else:
        why = f"its secrets provider is {found.provider}; cdcml decrypts only passphrase-managed secrets"
    return (
        f"--stack-reference {name}: the secret output(s) {', '.join(shorten(k, 80) for k in hidden)} can't be "
        f"decrypted ({why}); a StackReference to {name} gets unknown outputs"
    )


def load_stack_references(specs: Iterable[str]) -> StackReferences:
    """The outputs of each ``NAME=SOURCE`` stack reference, by NAME; their secret values
    become secrets of the run, decrypted with the passphrase when they are
    passphrase-encrypted. A NAME given twice is an error, and so is a wrong passphrase."""
    out: dict[str, Mapping[str, Any]] = {}
    notes: list[str] = []
    passphrase = secrets.PassphraseSource(error=AnswersError)
    for spec in specs:
        name, source = parse_stack_reference(spec)
        if name in out:
            raise AnswersError(f"--stack-reference {name} is given twice")
        found = StateSecrets(passphrase)
        try:
            outputs = _outputs(name, source, found)
        except AnswersError:
            raise
        except CdcmlError as e:
            raise AnswersError(f"--stack-reference {name}: {e.message}") from None
        secrets.remember(*secret_values(outputs))
        out[name] = outputs
        note = _note(name, outputs, found)
        if note is not None:
            notes.append(note)
    return StackReferences(out, tuple(notes))


def answer_secrets(answers: Sequence[InvokeAnswer], references: Mapping[str, Any]) -> list[str]:
    """Every secret value of *answers* and *references* (for the scrubbing of reports)."""
    found = [v for a in answers for v in secret_values(a.answer())]
    return found + [v for outputs in references.values() for v in secret_values(outputs)]
