"""Typed errors. Each carries the exit code the CLI returns and a message that says what to fix.

Library code raises these; only the CLI prints them (see cli.py).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, as fixed in DESIGN.md section 6."""

    ok = 0
    """Ran, and nothing is suspicious."""
    flagged = 1
    """Ran, and something is suspicious or forged."""
    usage = 2
    """The command line was wrong."""
    invalid_pack = 3
    """A brand pack is invalid."""
    invalid_input = 4
    """An input file or manifest is unreadable or invalid."""
    resource_missing = 5
    """A model or other installed resource is missing."""
    internal = 70
    """A bug in appealcheck."""


class AppealcheckError(Exception):
    """Base of every error appealcheck raises on purpose."""

    exit_code: ExitCode = ExitCode.internal

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(AppealcheckError):
    """An appeal, one of its files, or its manifest cannot be read. `path` names the file."""

    exit_code = ExitCode.invalid_input

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class PackError(AppealcheckError):
    """A brand pack is invalid: the message names the file (and line where known)."""

    exit_code = ExitCode.invalid_pack


class ResourceMissing(AppealcheckError):
    """An OCR model, scoring model or other installed resource is missing or unusable."""

    exit_code = ExitCode.resource_missing


class UsageError(AppealcheckError):
    """The options given cannot work together."""

    exit_code = ExitCode.usage
