"""The mutator and attack registries, and building a mutator from its spec ("caesar:3").

Built-ins register lazily as "module:Class" strings; every YAML file in `templates/` is a
template mutator under its file name. Third-party mutators arrive through the
`redline.mutators` entry-point group (a class taking the argument as its one parameter).
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import TYPE_CHECKING, Any

from redline.errors import UserError
from redline.mutators.base import ARG_SEP, Mutator
from redline.mutators.render import packaged_names
from redline.mutators.templates import FOLDER, builtin_template
from redline.registry import Registry

if TYPE_CHECKING:
    from redline.mutators.cache import MutationCache
    from redline.mutators.multiturn import AdaptiveAttack
    from redline.targets import Target

mutators: Registry[Mutator] = Registry("mutators")
attacks: Registry[AdaptiveAttack] = Registry("attacks")

_BUILTINS = {
    "base64": "encoding:Base64",
    "hex": "encoding:Hex",
    "ascii": "encoding:CharCodes",
    "morse": "encoding:Morse",
    "rot13": "encoding:Rot13",
    "caesar": "encoding:Caesar",
    "atbash": "encoding:Atbash",
    "leet": "encoding:Leet",
    "homoglyph": "encoding:Homoglyph",
    "misspell": "encoding:Misspell",
    "reverse": "encoding:ReverseWords",
    "wordsub": "encoding:WordSub",
    "identity": "identity:IdentitySwap",
    "template": "templates:FileTemplate",
    "translate": "model:Translate",
    "paraphrase": "model:Paraphrase",
    "persuade": "model:Persuade",
}
for _name, _entry in _BUILTINS.items():
    mutators.register(_name, f"redline.mutators.{_entry}")
for _name in packaged_names(FOLDER):
    mutators.register(_name, partial(builtin_template, _name))
attacks.register("escalation", "redline.mutators.multiturn:EscalationAttack")
attacks.register("refine", "redline.mutators.multiturn:IterativeRefinementAttack")


def split_spec(spec: str) -> tuple[str, str | None]:
    """("caesar", "3") from "caesar:3"; ("roleplay", None) from "roleplay"."""
    name, sep, arg = spec.strip().partition(ARG_SEP)
    return name.strip(), (arg.strip() if sep else None)


def is_model_step(spec: str) -> bool:
    """Whether a chain step needs a helper model (without building it)."""
    name, _ = split_spec(spec)
    return name != "none" and getattr(mutators.get(name), "kind", None) == "model"


def build_mutator(
    spec: str, *, helper: Target | None = None, cache: MutationCache | None = None
) -> Mutator:
    """A mutator from "name" or "name:arg"; model-assisted ones get `helper` and `cache`."""
    name, arg = split_spec(spec)
    factory = mutators.get(name)
    extra: dict[str, Any] = {}
    if getattr(factory, "kind", None) == "model":
        extra = {"helper": helper, "cache": cache}
    try:
        mutator = factory(arg, **extra)
    except TypeError as exc:
        raise UserError(f"mutator {spec!r}: bad arguments: {exc}") from None
    if not isinstance(mutator, Mutator):
        raise UserError(f"mutator {name!r} did not build a Mutator (got {type(mutator).__name__})")
    return mutator


def describe_mutators() -> list[tuple[str, str, str]]:
    """(name, kind, one-line description) for every mutator and adaptive attack."""
    rows = []
    for name in mutators.names():
        factory = mutators.get(name)
        about: Any = factory if inspect.isclass(factory) else factory(None)
        rows.append((name, str(about.kind), str(about.description)))
    for name in attacks.names():
        attack = attacks.get(name)
        rows.append((name, "adaptive", str(getattr(attack, "description", ""))))
    return rows
