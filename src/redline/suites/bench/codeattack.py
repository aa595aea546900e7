"""CodeAttack: AdvBench requests wrapped in code-completion templates (Ren et al. 2024)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item, choose
from redline.suites.readers import json_records, need

VARIANTS = {
    "python_list": "prompts/data_python_list_full.json",
    "python_string": "prompts/data_python_string_full.json",
    "python_stack": "prompts/data_python_stack_full.json",
}


class CodeAttack(DatasetSuite):
    info = SuiteInfo(
        name="codeattack",
        description="520 AdvBench requests encoded in Python list, string and stack templates "
        "(1,560 jailbreak prompts); the plain request is kept as a label",
        licence="MIT",
        source="https://github.com/renqibing/CodeAttack",
    )
    dataset = "codeattack"

    def __init__(self, *, variants: Sequence[str] = tuple(VARIANTS), offline: bool | None = None):
        super().__init__(offline=offline)
        self.variants = choose(self.info.name, "variant", variants, VARIANTS)

    def required_files(self) -> Sequence[str]:
        return [VARIANTS[v] for v in self.variants]

    def items(self) -> Iterator[Item]:
        for variant in self.variants:
            path = self.file(VARIANTS[variant])
            for number, row in json_records(path):
                plain = need(row, "plain_attack", path, number)
                yield Item(
                    key=f"{variant}:{number}",
                    text=need(row, "code_wrapped_plain_attack", path, number),
                    labels={"variant": variant, "plain_attack": plain},
                    source=f"codeattack/{VARIANTS[variant]}",
                    about=plain,
                )
