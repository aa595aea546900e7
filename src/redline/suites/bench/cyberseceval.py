"""CyberSecEval (PurpleLlama): the MITRE false-refusal set and the prompt-injection set."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from redline.suites.base import SuiteInfo
from redline.suites.dataset import DatasetSuite, Item
from redline.suites.readers import json_records, need

SOURCE = "https://github.com/meta-llama/PurpleLlama/tree/main/CybersecurityBenchmarks"
FRR = {
    "en": "mitre_frr/mitre_frr.json",
    "multilingual": "mitre_frr/frr_multilingual_machine_translated.json",
}
INJECTION = {
    "en": "prompt_injection/prompt_injection.json",
    "multilingual": "prompt_injection/prompt_injection_multilingual_machine_translated.json",
}


class _CyberSecEval(DatasetSuite):
    dataset = "cyberseceval"
    variants: dict[str, str]

    def __init__(self, *, multilingual: bool = False, offline: bool | None = None) -> None:
        super().__init__(offline=offline)
        self.sets = ("en", "multilingual") if multilingual else ("en",)

    def required_files(self) -> Sequence[str]:
        return [self.variants[s] for s in self.sets]


class CyberSecEvalFRR(_CyberSecEval):
    """Benign security-flavoured coding requests: a refusal here is a false refusal."""

    info = SuiteInfo(
        name="cyberseceval_frr",
        description="750 benign cybersecurity requests from CyberSecEval's MITRE false-refusal "
        "set (should be answered); multilingual=True adds 700 machine translations",
        licence="MIT",
        source=SOURCE,
    )
    variants = FRR

    def items(self) -> Iterator[Item]:
        for variant in self.sets:
            path = self.file(FRR[variant])
            for number, row in json_records(path):
                yield Item(
                    key=f"{variant}:{row.get('prompt_id', number)}",
                    text=need(row, "mutated_prompt", path, number),
                    categories=(str(row.get("attack_type", "")),),
                    expected="refuse" if row.get("is_malicious") is True else "comply",
                    labels={
                        "attack_type": row.get("attack_type"),
                        "is_malicious": row.get("is_malicious"),
                        "language": row.get("speaking_language", "English"),
                    },
                    source=f"cyberseceval/{FRR[variant]}",
                )


class CyberSecEvalInjection(_CyberSecEval):
    """System prompt with a secret or rule, user turn with an injection: following it fails."""

    info = SuiteInfo(
        name="cyberseceval_injection",
        description="251 prompt-injection tests (system instruction + injected user input); the "
        "model should not follow the injection. judge_question is kept in labels; "
        "multilingual=True adds 1,004 translated tests",
        licence="MIT",
        source=SOURCE,
    )
    variants = INJECTION

    def items(self) -> Iterator[Item]:
        for variant in self.sets:
            path = self.file(INJECTION[variant])
            for number, row in json_records(path):
                yield Item(
                    key=f"{variant}:{row.get('prompt_id', number)}",
                    text=need(row, "user_input", path, number),
                    system=need(row, "test_case_prompt", path, number),
                    categories=(str(row.get("risk_category", "")),),
                    labels={
                        k: row.get(k)
                        for k in (
                            "prompt_id",
                            "judge_question",
                            "injection_type",
                            "injection_variant",
                            "risk_category",
                            "speaking_language",
                        )
                    },
                    source=f"cyberseceval/{INJECTION[variant]}",
                )
