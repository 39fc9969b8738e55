"""Questionnaire configuration: typed, validated, versioned and dated.

The YAML shape is the one in rules/ras/data/*.yaml. Every problem found is reported with its path
(for example ``domains[2].answers[1].points``) so an admin can fix the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal, cast

import yaml

from rules.ras.errors import ConfigError

FreeTextKind = Literal["in_my_own_words", "what_i_can_offer", "who_supports_me"]
Method = Literal["points_x_price", "bands"]
Rounding = Literal["nearest_pound", "nearest_penny"]
FREE_TEXT_KINDS = ("in_my_own_words", "what_i_can_offer", "who_supports_me")


@dataclass(frozen=True)
class FreeTextPrompt:
    """A question answered in the person's own words; recorded, never scored."""

    id: str
    kind: FreeTextKind
    prompt: str
    help: str = ""


@dataclass(frozen=True)
class AnswerOption:
    code: str
    text: str
    points: int


@dataclass(frozen=True)
class Domain:
    id: str
    label: str
    question: str
    help: str
    answers: tuple[AnswerOption, ...]
    weight: Decimal
    care_act_outcomes: tuple[str, ...] = ()
    free_text: tuple[FreeTextPrompt, ...] = ()

    def option(self, code: str) -> AnswerOption | None:
        return next((answer for answer in self.answers if answer.code == code), None)


@dataclass(frozen=True)
class InformalSupportOption:
    code: str
    text: str
    factor: Decimal


@dataclass(frozen=True)
class InformalSupport:
    applies_to_domains: tuple[str, ...]
    answers: tuple[InformalSupportOption, ...]
    floor_factor: Decimal

    def option(self, code: str) -> InformalSupportOption | None:
        return next((answer for answer in self.answers if answer.code == code), None)


@dataclass(frozen=True)
class CarerOption:
    code: str
    text: str
    add_points: int
    deflator_cap: Decimal | None


@dataclass(frozen=True)
class CarerModifier:
    question: str
    answers: tuple[CarerOption, ...]
    separate_carer_personal_budget: bool = True

    def option(self, code: str) -> CarerOption | None:
        return next((answer for answer in self.answers if answer.code == code), None)


@dataclass(frozen=True)
class Pricing:
    price_per_point_weekly: Decimal
    minimum_points_for_allocation: int
    rounding: Rounding
    floor_weekly: Decimal
    ceiling_weekly: Decimal
    ceiling_action: str
    tolerance_pct_for_auto_approval: Decimal
    weeks_per_year: Decimal


@dataclass(frozen=True)
class Band:
    min_points: int
    max_points: int | None
    label: str
    weekly: Decimal | None  # None: no figure from points, a bespoke costing instead


@dataclass(frozen=True)
class Meta:
    id: str
    status: str
    effective_from: dt.date
    method: Method
    version_note: str = ""
    currency: str = "GBP"
    period: str = "week"


@dataclass(frozen=True)
class RasConfig:
    meta: Meta
    domains: tuple[Domain, ...]
    about_me: tuple[FreeTextPrompt, ...]
    informal_support: InformalSupport
    carer: CarerModifier
    pricing: Pricing
    bands: tuple[Band, ...]
    source: str = ""

    @property
    def version_id(self) -> str:
        return self.meta.id

    def domain(self, domain_id: str) -> Domain | None:
        return next((domain for domain in self.domains if domain.id == domain_id), None)

    def free_text_ids(self) -> tuple[str, ...]:
        """Keys the answers may use for free text: ``<domain>.<prompt>`` and ``about_me.<prompt>``."""
        ids = [f"{domain.id}.{prompt.id}" for domain in self.domains for prompt in domain.free_text]
        return (*ids, *(f"about_me.{prompt.id}" for prompt in self.about_me))


TOP_LEVEL = (
    "meta",
    "domains",
    "about_me",
    "informal_support",
    "carer_support_modifier",
    "pricing",
    "banding",
    "outputs",
    "worked_example_illustrative",
)


class _Reader:
    """Reads one configuration document, collecting (path, message) problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def mapping(self, node: object, path: str, allowed: tuple[str, ...]) -> Mapping[str, object]:
        if not isinstance(node, Mapping):
            self.fail(path, "must be a mapping")
            return {}
        for key in node:
            if key not in allowed:
                self.fail(f"{path}.{key}" if path else str(key), "unknown field")
        return cast(Mapping[str, object], node)

    def items(
        self, node: Mapping[str, object], key: str, path: str, required: bool = True
    ) -> list[object]:
        value = node.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(f"{path}.{key}" if path else key, "must be a non-empty list")
            return []
        return value

    def text(self, node: Mapping[str, object], key: str, path: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", "must be non-empty text")
            return ""
        return value

    def integer(self, node: Mapping[str, object], key: str, path: str, minimum: int = 0) -> int:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(f"{path}.{key}", f"must be a whole number of at least {minimum}")
            return minimum
        return value

    def decimal(
        self,
        node: Mapping[str, object],
        key: str,
        path: str,
        low: Decimal | None = None,
        high: Decimal | None = None,
        default: Decimal | None = None,
    ) -> Decimal:
        value = node.get(key)
        if value is None and default is not None:
            return default
        if isinstance(value, bool | float) or not isinstance(value, str | int):
            self.fail(f"{path}.{key}", 'must be a number written as a string, e.g. "2.75"')
            return low or Decimal(0)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{path}.{key}", f"{value!r} is not a number")
            return low or Decimal(0)
        if (
            not number.is_finite()
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            self.fail(f"{path}.{key}", f"must be between {low} and {high}")
        return number

    def unique(self, codes: list[str], path: str) -> None:
        seen: set[str] = set()
        for index, code in enumerate(codes):
            if code in seen:
                self.fail(f"{path}[{index}]", f"duplicate code {code!r}")
            seen.add(code)

    # ------------------------------------------------------------------ sections
    def read(self, document: object) -> RasConfig:
        root = self.mapping(document, "", TOP_LEVEL)
        meta = self.read_meta(root.get("meta"))
        domains = tuple(
            self.read_domain(node, f"domains[{index}]")
            for index, node in enumerate(self.items(root, "domains", ""))
        )
        self.unique([domain.id for domain in domains], "domains")
        about_me = self.read_prompts(root, "about_me", "about_me")
        informal = self.read_informal(root.get("informal_support"), {d.id for d in domains})
        carer = self.read_carer(root.get("carer_support_modifier"))
        pricing = self.read_pricing(root.get("pricing"))
        bands, enabled = self.read_banding(root.get("banding"))
        if meta.method == "bands" and not enabled:
            self.fail("banding.enabled", "must be true when meta.calibration.method is bands")
        if meta.method == "points_x_price" and enabled:
            self.fail(
                "banding.enabled", "must be false when meta.calibration.method is points_x_price"
            )
        if self.problems:
            raise ConfigError(self.source, self.problems)
        return RasConfig(meta, domains, about_me, informal, carer, pricing, bands, self.source)

    def read_meta(self, node: object) -> Meta:
        meta = self.mapping(
            node,
            "meta",
            ("id", "status", "currency", "period", "effective_from", "calibration", "version_note"),
        )
        raw_date = meta.get("effective_from")
        effective = dt.date(1970, 1, 1)
        try:
            effective = dt.date.fromisoformat(str(raw_date))
        except ValueError:
            self.fail("meta.effective_from", "must be a date YYYY-MM-DD")
        if meta.get("currency", "GBP") != "GBP":
            self.fail("meta.currency", "only GBP is supported")
        if meta.get("period", "week") != "week":
            self.fail("meta.period", "only week is supported")
        calibration = meta.get("calibration", {})
        method: object = "points_x_price"
        if isinstance(calibration, Mapping):
            method = calibration.get("method", "points_x_price")
        if method not in ("points_x_price", "bands"):
            self.fail("meta.calibration.method", "must be points_x_price or bands")
            method = "points_x_price"
        return Meta(
            id=self.text(meta, "id", "meta"),
            status=self.text(meta, "status", "meta"),
            effective_from=effective,
            method=cast(Method, method),
            version_note=self.text(meta, "version_note", "meta", required=False),
        )

    def read_prompts(
        self, node: Mapping[str, object], key: str, path: str
    ) -> tuple[FreeTextPrompt, ...]:
        prompts: list[FreeTextPrompt] = []
        for index, raw in enumerate(self.items(node, key, path, required=False)):
            where = f"{path}[{index}]" if path == key else f"{path}.{key}[{index}]"
            prompt = self.mapping(raw, where, ("id", "kind", "prompt", "help"))
            kind = prompt.get("kind")
            if kind not in FREE_TEXT_KINDS:
                self.fail(f"{where}.kind", f"must be one of {list(FREE_TEXT_KINDS)}")
            prompts.append(
                FreeTextPrompt(
                    id=self.text(prompt, "id", where),
                    kind=cast(FreeTextKind, kind),
                    prompt=self.text(prompt, "prompt", where),
                    help=self.text(prompt, "help", where, required=False),
                )
            )
        self.unique([prompt.id for prompt in prompts], path if path == key else f"{path}.{key}")
        return tuple(prompts)

    def read_domain(self, node: object, path: str) -> Domain:
        domain = self.mapping(
            node,
            path,
            (
                "id",
                "label",
                "care_act_outcomes",
                "question",
                "help",
                "free_text",
                "answers",
                "weight",
            ),
        )
        answers: list[AnswerOption] = []
        for index, raw in enumerate(self.items(domain, "answers", path)):
            where = f"{path}.answers[{index}]"
            answer = self.mapping(raw, where, ("code", "text", "points"))
            answers.append(
                AnswerOption(
                    code=self.text(answer, "code", where),
                    text=self.text(answer, "text", where),
                    points=self.integer(answer, "points", where),
                )
            )
        self.unique([answer.code for answer in answers], f"{path}.answers")
        outcomes = domain.get("care_act_outcomes") or []
        if not isinstance(outcomes, list):
            self.fail(f"{path}.care_act_outcomes", "must be a list")
            outcomes = []
        return Domain(
            id=self.text(domain, "id", path),
            label=self.text(domain, "label", path),
            question=self.text(domain, "question", path),
            help=self.text(domain, "help", path),
            answers=tuple(answers),
            weight=self.decimal(domain, "weight", path, low=Decimal("0.01"), high=Decimal("100")),
            care_act_outcomes=tuple(str(outcome) for outcome in outcomes),
            free_text=self.read_prompts(domain, "free_text", path),
        )

    def read_informal(self, node: object, domain_ids: set[str]) -> InformalSupport:
        path = "informal_support"
        informal = self.mapping(node, path, ("applies_to_domains", "answers", "floor_factor"))
        applies = [str(item) for item in self.items(informal, "applies_to_domains", path)]
        for index, domain_id in enumerate(applies):
            if domain_id not in domain_ids:
                self.fail(f"{path}.applies_to_domains[{index}]", f"no domain {domain_id!r}")
        floor = self.decimal(informal, "floor_factor", path, Decimal(0), Decimal(1))
        options: list[InformalSupportOption] = []
        for index, raw in enumerate(self.items(informal, "answers", path)):
            where = f"{path}.answers[{index}]"
            option = self.mapping(raw, where, ("code", "text", "factor"))
            factor = self.decimal(option, "factor", where, Decimal(0), Decimal(1))
            if factor < floor:
                self.fail(f"{where}.factor", f"is below floor_factor {floor}")
            options.append(
                InformalSupportOption(
                    self.text(option, "code", where), self.text(option, "text", where), factor
                )
            )
        self.unique([option.code for option in options], f"{path}.answers")
        return InformalSupport(tuple(applies), tuple(options), floor)

    def read_carer(self, node: object) -> CarerModifier:
        path = "carer_support_modifier"
        carer = self.mapping(
            node, path, ("question", "answers", "note", "separate_carer_personal_budget")
        )
        options: list[CarerOption] = []
        for index, raw in enumerate(self.items(carer, "answers", path)):
            where = f"{path}.answers[{index}]"
            option = self.mapping(raw, where, ("code", "text", "add_points", "deflator_cap"))
            cap = (
                None
                if option.get("deflator_cap") is None
                else self.decimal(option, "deflator_cap", where, Decimal(0), Decimal(1))
            )
            options.append(
                CarerOption(
                    code=self.text(option, "code", where),
                    text=self.text(option, "text", where),
                    add_points=self.integer(option, "add_points", where),
                    deflator_cap=cap,
                )
            )
        self.unique([option.code for option in options], f"{path}.answers")
        separate = carer.get("separate_carer_personal_budget", True)
        return CarerModifier(
            question=self.text(carer, "question", path),
            answers=tuple(options),
            separate_carer_personal_budget=bool(separate),
        )

    def read_pricing(self, node: object) -> Pricing:
        path = "pricing"
        pricing = self.mapping(
            node,
            path,
            (
                "price_per_point_weekly",
                "minimum_points_for_allocation",
                "rounding",
                "floor_weekly",
                "ceiling_weekly",
                "ceiling_action",
                "tolerance_pct_for_auto_approval",
                "weeks_per_year",
            ),
        )
        rounding = pricing.get("rounding")
        if rounding not in ("nearest_pound", "nearest_penny"):
            self.fail(f"{path}.rounding", "must be nearest_pound or nearest_penny")
            rounding = "nearest_penny"
        zero = Decimal(0)
        floor = self.decimal(pricing, "floor_weekly", path, low=zero)
        ceiling = self.decimal(pricing, "ceiling_weekly", path, low=zero)
        if floor > ceiling:
            self.fail(f"{path}.floor_weekly", f"{floor} is above ceiling_weekly {ceiling}")
        return Pricing(
            price_per_point_weekly=self.decimal(
                pricing, "price_per_point_weekly", path, low=Decimal("0.01")
            ),
            minimum_points_for_allocation=self.integer(
                pricing, "minimum_points_for_allocation", path
            ),
            rounding=cast(Rounding, rounding),
            floor_weekly=floor,
            ceiling_weekly=ceiling,
            ceiling_action=self.text(pricing, "ceiling_action", path),
            tolerance_pct_for_auto_approval=self.decimal(
                pricing, "tolerance_pct_for_auto_approval", path, low=zero, default=zero
            ),
            # Annual = weekly x 52 unless the configuration says otherwise.
            weeks_per_year=self.decimal(
                pricing, "weeks_per_year", path, low=Decimal(1), default=Decimal(52)
            ),
        )

    def read_banding(self, node: object) -> tuple[tuple[Band, ...], bool]:
        path = "banding"
        if node is None:
            return (), False
        banding = self.mapping(node, path, ("enabled", "bands"))
        enabled = banding.get("enabled", False)
        if not isinstance(enabled, bool):
            self.fail(f"{path}.enabled", "must be true or false")
            enabled = False
        bands: list[Band] = []
        for index, raw in enumerate(self.items(banding, "bands", path, required=enabled)):
            where = f"{path}.bands[{index}]"
            band = self.mapping(raw, where, ("min_points", "max_points", "label", "weekly"))
            maximum = band.get("max_points")
            if maximum is not None and (isinstance(maximum, bool) or not isinstance(maximum, int)):
                self.fail(f"{where}.max_points", "must be a whole number or null")
                maximum = None
            weekly = (
                None
                if band.get("weekly") is None
                else self.decimal(band, "weekly", where, low=Decimal(0))
            )
            bands.append(
                Band(
                    min_points=self.integer(band, "min_points", where),
                    max_points=maximum,
                    label=self.text(band, "label", where),
                    weekly=weekly,
                )
            )
        for index in range(1, len(bands)):
            if bands[index].min_points <= bands[index - 1].min_points:
                self.fail(f"{path}.bands[{index}].min_points", "bands must go up in points")
            before, after = bands[index - 1].weekly, bands[index].weekly
            # More points must never mean less money (a null figure means bespoke costing).
            if before is not None and after is not None and after < before:
                self.fail(f"{path}.bands[{index}].weekly", "must not be less than the band below")
        return tuple(bands), enabled


def parse_config(document: object, source: str = "<memory>") -> RasConfig:
    """Validate an already-loaded document (e.g. from the Django admin) into a RasConfig."""
    return _Reader(source).read(document)


def load_config(path: Path) -> RasConfig:
    """Load and validate one configuration file."""
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return parse_config(document, source=path.name)
