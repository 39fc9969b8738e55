"""A set of answers to one questionnaire (the person's or the practitioner's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rules.ras.config import RasConfig
from rules.ras.errors import AnswerError

FIELDS = ("answers", "informal_support", "carer", "free_text")


@dataclass(frozen=True)
class Answers:
    """Scored answers by domain id, informal support by domain id, the carer answer, and free
    text keyed ``<domain>.<prompt>`` or ``about_me.<prompt>``."""

    scored: Mapping[str, str]
    informal_support: Mapping[str, str] = field(default_factory=dict)
    carer: str | None = None
    free_text: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, object], config: RasConfig) -> Answers:
        """Build from plain data (form, JSON) and check it against ``config``."""
        problems: list[tuple[str, str]] = []
        for key in data:
            if key not in FIELDS:
                problems.append((str(key), "unknown field"))

        def mapping(key: str) -> dict[str, str]:
            raw = data.get(key) or {}
            if not isinstance(raw, Mapping):
                problems.append((key, "must be a mapping"))
                return {}
            return {str(k): str(v) for k, v in raw.items()}

        carer = data.get("carer")
        answers = cls(
            scored=mapping("answers"),
            informal_support=mapping("informal_support"),
            carer=None if carer is None else str(carer),
            free_text=mapping("free_text"),
        )
        problems += answers.problems(config)
        if problems:
            raise AnswerError(problems)
        return answers

    def problems(self, config: RasConfig) -> list[tuple[str, str]]:
        """Everything that does not fit ``config``: unknown domains or codes, missing answers."""
        problems: list[tuple[str, str]] = []
        for domain in config.domains:
            code = self.scored.get(domain.id)
            if code is None:
                problems.append((f"answers.{domain.id}", "missing"))
            elif domain.option(code) is None:
                codes = [option.code for option in domain.answers]
                problems.append((f"answers.{domain.id}", f"{code!r} is not one of {codes}"))
        for domain_id in self.scored:
            if config.domain(domain_id) is None:
                problems.append((f"answers.{domain_id}", "no such domain"))
        informal = config.informal_support
        for domain_id, code in self.informal_support.items():
            if domain_id not in informal.applies_to_domains:
                problems.append((f"informal_support.{domain_id}", "not asked for this domain"))
            elif informal.option(code) is None:
                codes = [option.code for option in informal.answers]
                problems.append(
                    (f"informal_support.{domain_id}", f"{code!r} is not one of {codes}")
                )
        if self.carer is not None and config.carer.option(self.carer) is None:
            codes = [option.code for option in config.carer.answers]
            problems.append(("carer", f"{self.carer!r} is not one of {codes}"))
        allowed = set(config.free_text_ids())
        for key in self.free_text:
            if key not in allowed:
                problems.append((f"free_text.{key}", "no such free-text question"))
        return problems

    def check(self, config: RasConfig) -> None:
        problems = self.problems(config)
        if problems:
            raise AnswerError(problems)
