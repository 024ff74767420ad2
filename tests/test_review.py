"""swapgen review: the corpus of series under tests/corpus, formats, protocols, robustness."""

from __future__ import annotations

import functools
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from codegen.kernel.rules import RULES
from tests.conftest import REPO, run_main, run_script
from tests.kernel_trees import kernel_tree

CORPUS = REPO / "tests" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
SWAPOPS = "include/linux/swapops.h"
SARIF_SCHEMA = json.loads((REPO / "tests/data/sarif-2.1.0.json").read_text())


def review_json(*args: str) -> tuple[int, dict]:
    result = run_main("review", "--format", "json", *args)
    assert "Traceback" not in result.err
    return result.code, json.loads(result.out)


def brief(case: str, data: dict) -> list[list]:
    prefix = str(CORPUS / case) + "/"
    return [[f["rule"], f["file"].replace(prefix, ""), f["line"]] for f in data["findings"]]


@functools.cache
def reviewed(case: str) -> tuple[int, dict]:
    """Exit code and JSON report of reviewing a corpus series against its spec (once)."""
    return review_json("--spec", EXPECTED[case]["spec"], str(CORPUS / case))


def rules_fired(case: str) -> set[str]:
    return {f["rule"] for f in reviewed(case)[1]["findings"]}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_corpus_series_give_exactly_the_expected_findings(case):
    expected = EXPECTED[case]
    code, data = reviewed(case)
    assert sorted(brief(case, data)) == sorted(expected["findings"])
    errors = any(RULES[f[0]].severity == "error" for f in expected["findings"])
    assert code == (1 if errors else 0)


def test_every_series_of_the_corpus_has_its_expected_findings():
    assert set(EXPECTED) == {p.name for p in CORPUS.iterdir() if p.is_dir()}


def test_every_review_rule_fires_on_a_series_of_the_corpus():
    """Reviewing the corpus sets off every rule (SWP907, a series that does not apply, fires
    in the --tree tests)."""
    fired = set().union(*(rules_fired(case) for case in EXPECTED))
    review_rules = {r for r in RULES if r[3] in "1234" or r.startswith("SWP9")} - {"SWP907"}
    assert review_rules - fired == set()


NEAR_MISSES = {
    "SWP101": "10-device-exclusive-good",  # types removed and added, count updated
    "SWP102": "25-count-subtracted",
    "SWP103": "24-budget-at-floor",  # MAX_SWAPFILES exactly 16
    "SWP201": "01-guard-marker-good",
    "SWP202": "01-guard-marker-good",
    "SWP203": "26-marker-high-but-inside",  # bit 16 < 17 (mips_r3k's offset)
    "SWP204": "01-guard-marker-good",
    "SWP205": "01-guard-marker-good",
    "SWP301": "14-riscv-sd-uw-good",
    "SWP302": "27-type-field-wider",
    "SWP303": "14-riscv-sd-uw-good",
    "SWP304": "14-riscv-sd-uw-good",
    "SWP305": "14-riscv-sd-uw-good",
    "SWP306": "14-riscv-sd-uw-good",  # adds comment lines that agree
    "SWP401": "10-device-exclusive-good",  # against 6.19, which has the change
    "SWP901": "20-two-versions-duplicate",
    "SWP902": "19-missing-part-and-reply",
    "SWP903": "19-missing-part-and-reply",
    "SWP904": "01-guard-marker-good",
    "SWP905": "01-guard-marker-good",
    "SWP906": "20-two-versions-duplicate",
    "SWP908": "19-missing-part-and-reply",
}


@pytest.mark.parametrize(("rule", "case"), sorted(NEAR_MISSES.items()))
def test_each_rule_has_a_near_miss_that_does_not_fire(rule, case):
    """Reviewing the near miss (read in full: its patches are all there) does not set the
    rule off."""
    _code, data = reviewed(case)
    assert data["patches"], f"{case}: no patch was read"
    assert rule not in rules_fired(case), data["findings"]


def test_mime_encodings_and_crlf_read_the_same():
    """The same guard-marker patch, plain, quoted-printable, base64 and with CRLF line ends,
    gives the same patches and findings, at the same lines."""
    cases = [
        "01-guard-marker-good",
        "02-guard-marker-qp",
        "03-guard-marker-base64",
        "04-guard-marker-crlf",
    ]
    raw = (CORPUS / "02-guard-marker-qp/series.mbox").read_text()
    assert "Content-Transfer-Encoding: quoted-printable" in raw and "=\n" in raw  # soft breaks
    assert "Content-Transfer-Encoding: base64" in next((CORPUS / cases[2]).iterdir()).read_text()
    results = []
    for case in cases:
        _code, data = review_json("--spec", "6.12", str(CORPUS / case))
        results.append((data["patches"], brief(case, data)))
    assert results == [(["[1/1] mm: add PTE_MARKER_GUARD"], [["SWP401", SWAPOPS, 435]])] * 4


def test_the_reply_that_quotes_a_diff_is_ignored():
    _, data = review_json("--spec", "6.19", str(CORPUS / "19-missing-part-and-reply"))
    assert data["patches"] == [
        "[1/3] mm: add PTE_MARKER_GUARD",
        "[3/3] mm: document SWP_DEVICE_NUM",
    ]
    assert data["cover"] == "[0/3] *** SUBJECT HERE ***"
    assert data["version"] == 2


def test_text_format_is_checkpatch_like():
    result = run_main("review", "--spec", "6.12", str(CORPUS / "12-flag-overlaps-type"))
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "arch/arm64/include/asm/pgtable-prot.h:31: ERROR: SWP301: arm64 PTE_SWP_UFFD_WP is bit 6, "
        "which is type [[1/1] arm64: mm: move the uffd-wp swap bit]"
    )
    assert result.err == "v1, 1 patch(es) vs linux-6.12: 2 error(s), 0 warning(s)\n"


def test_quiet_text_is_silent_when_clean():
    result = run_main(
        "review",
        "--quiet",
        "--spec",
        "6.19",
        "--ignore",
        "SWP906",
        str(CORPUS / "01-guard-marker-good"),
    )
    assert (result.code, result.out, result.err) == (0, "", "")


def test_sarif_validates_against_the_2_1_0_schema():
    result = run_main(
        "review",
        "--format",
        "sarif",
        "--spec",
        "6.12",
        str(CORPUS / "16-riscv-uffd-without-select"),
    )
    document = json.loads(result.out)
    jsonschema.validate(document, SARIF_SCHEMA)
    results = document["runs"][0]["results"]
    # SWP590: the new bits are aliases of riscv bits the diff does not define
    assert {r["ruleId"] for r in results} == {"SWP304", "SWP401", "SWP590"}
    located = next(r for r in results if r["ruleId"] == "SWP304")
    assert (
        located["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "arch/riscv/include/asm/pgtable-bits.h"
    )
    assert located["locations"][0]["physicalLocation"]["region"]["startLine"] == 34
    again = json.loads(
        run_main(
            "review",
            "--format",
            "sarif",
            "--spec",
            "6.12",
            str(CORPUS / "16-riscv-uffd-without-select"),
        ).out
    )
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in results
    ], "fingerprints are stable"


def test_github_annotations():
    result = run_main(
        "review", "--format", "github", "--spec", "6.12", str(CORPUS / "13-type-field-narrow")
    )
    lines = result.out.splitlines()
    assert (
        "::error file=arch/arm/include/asm/pgtable.h,line=294,title=SWP302::arm, arm_lpae __SWP_TYPE_BITS is 4, narrower than MAX_SWAPFILES_SHIFT 5 [[1/1] ARM: mm: shrink the swap type field]"
        in lines
    )
    assert len(lines) == 2
    notice = run_main(
        "review", "--format", "github", "--spec", "6.12", str(CORPUS / "21-truncated-hunk")
    )
    assert notice.out.startswith("::notice title=SWP906::no version in the subjects")


def test_b4_review_check_protocol_over_stdin():
    message = (CORPUS / "06-marker-mask-not-updated/0001-guard.patch").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "codegen", "review", "--format", "b4", "--spec", "6.19", "-"],
        input=message,
        capture_output=True,
        cwd=REPO,
    )
    assert proc.returncode == 1
    (entry,) = json.loads(proc.stdout)
    assert entry["tool"] == "swapgen" and entry["status"] == "fail"
    assert entry["summary"] == "1 error(s), 0 warning(s) against the swapgen spec"
    assert "SWP202" in entry["details"]
    clean = (CORPUS / "03-guard-marker-base64/0001-guard.patch").read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "codegen",
            "review",
            "--format",
            "b4",
            "--spec",
            "6.19",
            "--ignore",
            "SWP906",
            "-",
        ],
        input=clean,
        capture_output=True,
        cwd=REPO,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"[]\n", b"")


@pytest.mark.parametrize(
    ("case", "code", "verdict"),
    [
        ("01-guard-marker-good", 0, "ok"),
        ("08-marker-without-helpers", 250, "warning"),
        ("13-type-field-narrow", 1, "fail"),
    ],
)
def test_nipa_exit_codes(case, code, verdict):
    result = run_main(
        "review", "--exit-codes", "nipa", "--spec", "6.19", "--ignore", "SWP906", str(CORPUS / case)
    )
    assert result.code == code
    assert result.err.startswith(f"swapgen review: {verdict}: ")


def test_strict_makes_warnings_fail():
    case = str(CORPUS / "08-marker-without-helpers")
    assert run_main("review", "--spec", "6.19", case).code == 0
    assert run_main("review", "--spec", "6.19", "--strict", case).code == 1


def test_select_and_ignore_by_id_and_prefix():
    case = str(CORPUS / "23-budget-below-floor")
    _, data = review_json("--spec", "6.12", "--select", "SWP1", case)
    assert {f["rule"] for f in data["findings"]} == {"SWP103"}
    _, data = review_json("--spec", "6.12", "--ignore", "SWP4", "--ignore", "swp906", case)
    assert {f["rule"] for f in data["findings"]} == {"SWP103"}
    result = run_main("review", "--select", "XYZ", case)
    assert (result.code, result.err) == (
        2,
        "swapgen: error: --select/--ignore XYZ: matches no rule ID\n",
    )


def test_explain_prints_the_rule_doc():
    result = run_main("review", "--explain", "swp304")
    assert result.code == 0
    assert result.out.startswith(
        "SWP304 (error): uffd-wp swap bit and HAVE_ARCH_USERFAULTFD_WP disagree\n\n"
    )
    assert run_main("review", "--explain", "SWP999").code == 2


def test_a_git_range_is_reviewed_like_its_mail(tmp_path):
    repo = tmp_path / "linux"
    subprocess.run(["cp", "-r", str(kernel_tree("6.12")), str(repo)], check=True)
    git = ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    subprocess.run([*git, "am", "-q", str(CORPUS / "13-type-field-narrow/series.mbox")], check=True)
    _, data = review_json("--spec", "6.12", "--git", str(repo), "--range", "HEAD~1..HEAD")
    assert sorted(f["rule"] for f in data["findings"] if f["rule"] != "SWP906") == [
        "SWP302",
        "SWP401",
    ]
    result = run_main("review", "--git", str(repo), "--range", "nope..HEAD")
    assert result.code == 2 and "git format-patch nope..HEAD" in result.err


@pytest.fixture
def tree_repo(tmp_path) -> Path:
    repo = tmp_path / "linux"
    subprocess.run(["cp", "-r", str(kernel_tree("6.12")), str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "init", "-q"], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "base",
        ],
        check=True,
    )
    return repo


def test_tree_mode_applies_the_series_and_syncs(tree_repo, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        (REPO / "specs/linux-6.12.yaml")
        .read_text()
        .replace(
            "    flags:\n      uffd_wp: {bit: 3, macro: PTE_SWP_UFFD_WP",
            "    flags:\n      uffd_wp: {bit: 6, macro: PTE_SWP_UFFD_WP",
            1,
        )
    )
    status = subprocess.run(
        ["git", "-C", str(tree_repo), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    _, data = review_json(
        "--spec", "6.12", "--tree", str(tree_repo), str(CORPUS / "12-flag-overlaps-type")
    )
    # what the series builds: the uffd-wp bit in the type field, and a bit the spec lacks
    # (the sync's own 'tree bit 6, spec bit 3' at the same line is the same SWP401)
    assert [(f["rule"], f["line"]) for f in data["findings"]] == [("SWP301", 31), ("SWP401", 31)]
    after = subprocess.run(
        ["git", "-C", str(tree_repo), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert after == status
    worktrees = subprocess.run(
        ["git", "-C", str(tree_repo), "worktree", "list"], capture_output=True, text=True
    ).stdout
    assert len(worktrees.splitlines()) == 1


def test_tree_mode_reports_a_series_that_does_not_apply(tree_repo):
    swap_h = tree_repo / "include/linux/swap.h"
    swap_h.write_text(
        swap_h.read_text().replace("#define SWP_DEVICE_NUM 4", "#define SWP_DEVICE_NUM 4 /* x */")
    )
    subprocess.run(
        [
            "git",
            "-C",
            str(tree_repo),
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qam",
            "conflict",
        ],
        check=True,
    )
    code, data = review_json(
        "--spec", "6.19", "--tree", str(tree_repo), str(CORPUS / "10-device-exclusive-good")
    )
    assert code == 1
    assert [f["rule"] for f in data["findings"] if f["rule"] != "SWP906"] == ["SWP907"]


NO_PATCHES = "swapgen: error: no patches in the input (only replies, or no mail at all)\n"


@pytest.mark.parametrize(
    ("content", "code", "rules", "err"),
    [
        (bytes(range(256)) * 100, 2, None, NO_PATCHES),  # binary junk: bad input
        (
            b"From x Mon Sep 17 00:00:00 2001\nSubject: [PATCH] t\n\n--- a/include/linux/swapops.h\n+++ b/include/linux/swapops.h\n@@ -1,9 +1,9 @@\n-x\n",
            1,  # a patch whose hunk is cut short: a finding, SWP904
            ["SWP904"],
            "",
        ),
        (b"", 2, None, NO_PATCHES),  # nothing at all: bad input
    ],
    ids=["binary", "short-hunk", "empty"],
)
def test_malformed_input_never_tracebacks(tmp_path, content, code, rules, err):
    path = tmp_path / "bad.mbox"
    path.write_bytes(content)
    result = run_main("review", "--format", "json", str(path))
    assert (result.code, result.err) == (code, err)
    if rules is not None:
        assert sorted(f["rule"] for f in json.loads(result.out)["findings"]) == rules


def test_a_50_mb_mbox_is_reviewed_without_a_traceback(tmp_path):
    good = (CORPUS / "13-type-field-narrow/series.mbox").read_bytes()
    blob = b"From junk Mon Sep 17 00:00:00 2001\nSubject: junk\n\n" + (b"x" * 1023 + b"\n") * (
        50 * 1024
    )
    path = tmp_path / "big.mbox"
    path.write_bytes(blob + good)
    assert path.stat().st_size > 50 * 1024 * 1024
    result = run_script("review", "--format", "json", "--spec", "6.12", str(path))
    assert "Traceback" not in result.err
    data = json.loads(result.out)
    rules = {f["rule"] for f in data["findings"]}
    assert {"SWP905", "SWP302"} <= rules, rules


def test_usage_errors(tmp_path):
    assert run_main("review").err.startswith("swapgen: error: name an mbox")
    result = run_main("review", str(tmp_path / "none.mbox"))
    assert result.code == 2 and "no such file or directory" in result.err
    assert run_main("review", "--git", str(tmp_path)).code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_main("review", str(empty))
    assert result.code == 2 and "no .patch, .eml or .mbox files" in result.err


def test_b4_reads_stdin_from_an_io_buffer(monkeypatch):
    data = (CORPUS / "13-type-field-narrow/series.mbox").read_bytes()
    fake = io.TextIOWrapper(io.BytesIO(data))
    monkeypatch.setattr("sys.stdin", fake)
    result = run_main("review", "--format", "b4", "--spec", "6.12", "-")
    (entry,) = json.loads(result.out)
    assert entry["status"] == "fail"


# --- regressions from a maintainer's review of the reviewer -------------------------------


def corpus_mail(case: str) -> str:
    path = next((CORPUS / case).iterdir())
    return path.read_text()


def review_text(tmp_path: Path, text: str, *args: str):
    path = tmp_path / "input.mbox"
    path.write_text(text)
    return review_json(*args, str(path))


def test_a_from_line_in_the_commit_message_is_not_a_mail_boundary(tmp_path):
    text = corpus_mail("06-marker-mask-not-updated").replace(
        "Add a guard marker, forgetting the mask.",
        "Add a guard marker, forgetting the mask.\n\nFrom the point of view of userspace, nothing changes.",
    )
    code, data = review_text(tmp_path, text, "--spec", "6.19")
    assert code == 1
    assert [f["rule"] for f in data["findings"]] == ["SWP202"]


def test_one_part_of_a_series_alone_gets_no_series_level_errors(tmp_path):
    # b4 pipes each message of a series on its own: part 1/3 of case 19
    mbox = (CORPUS / "19-missing-part-and-reply/series.mbox").read_text()
    part = "From " + mbox.split("\nFrom ")[1]
    assert "[PATCH v2 1/3]" in part
    code, data = review_text(tmp_path, part, "--spec", "6.19")
    assert code == 0
    assert [f["rule"] for f in data["findings"]] == ["SWP908"]
    assert "part 1/3 alone" in data["findings"][0]["message"]
    quiet = run_main("review", "--quiet", "--spec", "6.19", str(tmp_path / "input.mbox"))
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")  # b4: "passed all checks"


def test_editing_an_existing_define_in_place_is_not_a_new_one(tmp_path):
    text = corpus_mail("10-device-exclusive-good").replace(
        "+#define SWP_DEVICE_EXCLUSIVE (MAX", "+#define SWP_DEVICE_EXCLUSIVE  (MAX"
    )
    code, data = review_text(tmp_path, text, "--spec", "6.19")
    assert (code, data["findings"]) == (0, [])
    # a comment added to an existing marker is no new marker
    marker = (
        corpus_mail("01-guard-marker-good")
        .replace("@@ -432,7 +432,8 @@", "@@ -432,7 +432,8 @@", 1)
        .replace(
            " #define  PTE_MARKER_POISONED\t\t\tBIT(1)\n",
            "-#define  PTE_MARKER_POISONED\t\t\tBIT(1)\n+#define  PTE_MARKER_POISONED\t\t\tBIT(1) /* see above */\n",
        )
    )
    code, data = review_text(tmp_path, marker, "--spec", "6.19")
    assert [f["rule"] for f in data["findings"]] == [], data["findings"]


def test_a_changed_helper_signature_is_not_an_incomplete_set(tmp_path):
    text = corpus_mail("22-foreign-arch-incomplete")
    body = text.split("\n---\n", 1)[0]
    diff = (
        "\n---\n"
        "diff --git a/arch/ia64/include/asm/pgtable.h b/arch/ia64/include/asm/pgtable.h\n"
        "--- a/arch/ia64/include/asm/pgtable.h\n+++ b/arch/ia64/include/asm/pgtable.h\n"
        "@@ -10,4 +10,4 @@\n"
        "-static inline int pte_swp_exclusive(pte_t pte)\n"
        "+static inline bool pte_swp_exclusive(pte_t pte)\n"
        " {\n \treturn pte_val(pte) & _PAGE_SWP_EXCLUSIVE;\n }\n"
    )
    code, data = review_text(tmp_path, body + diff, "--spec", "6.19")
    assert (code, data["findings"]) == (0, [])


def test_rfc_before_patch_and_replies_with_diffs(tmp_path):
    mbox = (CORPUS / "19-missing-part-and-reply/series.mbox").read_text()
    mbox = mbox.replace("[PATCH v2 ", "[RFC][PATCH v2 ")
    mbox = mbox.replace("Subject: Re: [PATCH v2 1/3]", "Subject: Re: [RFC][PATCH v2 1/3]")
    mbox = mbox.replace("> diff --git", "diff --git", 1)  # a reply that suggests a diff
    _code, data = review_text(tmp_path, mbox, "--spec", "6.19")
    assert data["patches"] == [
        "[1/3] mm: add PTE_MARKER_GUARD",
        "[3/3] mm: document SWP_DEVICE_NUM",
    ]
    assert sorted(f["rule"] for f in data["findings"]) == ["SWP204", "SWP901"]


def test_quilt_style_paths_are_reviewed(tmp_path):
    text = (
        corpus_mail("13-type-field-narrow")
        .replace("a/arch/arm/", "linux.orig/arch/arm/")
        .replace("b/arch/arm/", "linux/arch/arm/")
    )
    _code, data = review_text(tmp_path, text, "--spec", "6.12")
    assert sorted(f["rule"] for f in data["findings"]) == ["SWP302", "SWP401"]


def guard_marker_as(value: str) -> str:
    """The guard-marker series with PTE_MARKER_GUARD defined as ``value``, not BIT(2)."""
    define = "+#define  PTE_MARKER_GUARD\t\t\t"
    text = corpus_mail("01-guard-marker-good")
    assert f"{define}BIT(2)\n" in text
    return text.replace(f"{define}BIT(2)\n", f"{define}{value}\n")


@pytest.mark.parametrize(
    ("value", "rule", "message"),
    [
        ("0", "SWP205", "PTE_MARKER_GUARD 0x0 is not one bit"),
        ("(BIT(1) | BIT(2))", "SWP205", "PTE_MARKER_GUARD 0x6 is not one bit"),
        (
            "(1UL << -1)",
            "SWP590",
            "PTE_MARKER_GUARD cannot be evaluated from the series: shift by -1, a negative "
            "count in '(1UL << -1)'",
        ),
    ],
    ids=["zero", "two-bits", "negative-shift"],
)
def test_a_marker_that_is_not_one_bit_is_reported_at_its_line(tmp_path, value, rule, message):
    (tmp_path / "x.mbox").write_text(guard_marker_as(value))
    result = run_main("review", "--format", "json", "--spec", "6.19", str(tmp_path / "x.mbox"))
    data = json.loads(result.out)
    assert data["patches"] == ["[1/1] mm: add PTE_MARKER_GUARD"]
    found = [(f["rule"], f["file"], f["line"], f["message"]) for f in data["findings"]]
    assert (rule, SWAPOPS, 435, message) in found, found
    assert result.code == (1 if rule == "SWP205" else 0)


def test_a_marker_at_bit_64_is_beyond_every_swap_offset(tmp_path):
    """BIT(64) is past the end of any PTE: on every arch the marker is lost (SWP203)."""
    code, data = review_text(tmp_path, guard_marker_as("BIT(64)"), "--spec", "6.19")
    beyond = [
        (f["file"], f["line"], f["message"]) for f in data["findings"] if f["rule"] == "SWP203"
    ]
    assert beyond == [
        (SWAPOPS, 435, "PTE_MARKER_GUARD is bit 64; the narrowest swap offset is 17 bits (mips_r3k)")
    ], data["findings"]
    assert code == 1


def test_a_swap_pte_flag_at_bit_64_is_beyond_the_pte(tmp_path):
    """arm64's uffd-wp swap bit moved to BIT(64), past the end of its 64-bit PTE (SWP301)."""
    moved = "(_AT(pteval_t, 1) << 6)"
    text = corpus_mail("12-flag-overlaps-type")
    assert moved in text
    code, data = review_text(tmp_path, text.replace(moved, "BIT(64)"), "--spec", "6.12")
    beyond = [
        (f["file"], f["line"], f["message"]) for f in data["findings"] if f["rule"] == "SWP301"
    ]
    assert beyond == [
        (
            "arch/arm64/include/asm/pgtable-prot.h",
            31,
            "arm64 PTE_SWP_UFFD_WP is bit 64, which is beyond the 64-bit PTE",
        )
    ], data["findings"]
    assert code == 1


def test_sarif_makes_series_notes_results_at_a_logical_location():
    """Code scanning ignores notifications: a missing part or a diff that does not parse is
    a result too, at the input mail and the patch (or series) it is about."""
    result = run_main(
        "review", "--format", "sarif", "--spec", "6.19", str(CORPUS / "21-truncated-hunk")
    )
    document = json.loads(result.out)
    jsonschema.validate(document, SARIF_SCHEMA)
    results = {r["ruleId"]: r for r in document["runs"][0]["results"]}
    assert {"SWP904", "SWP906"} <= set(results)
    unparsable = results["SWP904"]["locations"][0]
    assert unparsable["physicalLocation"]["artifactLocation"]["uri"].endswith("/series.mbox")
    assert unparsable["logicalLocations"][0]["name"].startswith("[1/2]")
    inferred = results["SWP906"]["locations"][0]
    assert inferred == {"logicalLocations": [{"name": "the series", "kind": "module"}]}


def _corpus_inputs(case: str) -> list[Path]:
    folder = CORPUS / case
    mbox = folder / "series.mbox"
    return [mbox] if mbox.exists() else sorted(folder.iterdir())


@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.iterdir() if p.is_dir()))
def test_dropping_unread_diff_sections_at_intake_changes_no_finding(case):
    """review trims each diff to the files rules read as mail streams in; the findings must be
    those of the whole diffs."""
    from codegen.resources import resolve_spec
    from codegen.review import mailbox
    from codegen.review.checks import Review, review_series
    from codegen.review.intake import patch_from_raw
    from codegen.review.series import build_series, group_series
    from codegen.spec.load import load_spec

    spec = load_spec(resolve_spec(None))
    reader = Review(spec)

    def series(keep, owns):
        raw = [m for path in _corpus_inputs(case) for m in mailbox.messages_from_path(path)]
        patches = [p for source, m in raw if (p := patch_from_raw(m, source, keep, owns))]
        (only,) = [build_series(group) for group in group_series(patches)]
        return only

    whole = series(None, None)
    trimmed = series(reader.may_look_at, reader.owns)
    assert review_series(spec, trimmed) == review_series(spec, whole)


def test_trim_diff_keeps_only_owned_files_in_order():
    from codegen.review.series import trim_diff

    def section(old: str, new: str | None = None) -> str:
        new = new or old
        return f"diff --git a/{old} b/{new}\n--- a/{old}\n+++ b/{new}\n@@ -1,1 +1,1 @@\n-a\n+b\n"

    owned = {"include/linux/swapops.h", "arch/x86/include/asm/pgtable_64.h"}
    diff = (
        section("mm/memory.c")
        + section("include/linux/swapops.h")
        + section("drivers/x.c")
        + section("arch/x86/include/asm/pgtable_64.h", "arch/x86/include/asm/pgtable-64.h")
    )
    trimmed = trim_diff(diff, owned.__contains__)
    assert trimmed == section("include/linux/swapops.h") + section(
        "arch/x86/include/asm/pgtable_64.h", "arch/x86/include/asm/pgtable-64.h"
    )
    assert trim_diff(diff, lambda _path: False) == ""
    # quilt and diff -u output have no 'diff --git' lines: cut the same way
    quilt = "--- linux.orig/mm/memory.c\n+++ linux/mm/memory.c\n@@ -1,1 +1,1 @@\n-a\n+b\n"
    owned_quilt = quilt.replace("mm/memory.c", "include/linux/swapops.h")
    assert trim_diff(quilt + owned_quilt, lambda p: p.endswith("swapops.h")) == owned_quilt
    # a diff unidiff cannot parse stays whole when it names a file rules read, for the
    # review to report (SWP904); one naming only other files is not parsed at all
    broken = section("include/linux/swapops.h").replace("-a\n", "")
    assert trim_diff(broken, owned.__contains__) == broken
    assert trim_diff(section("mm/memory.c").replace("-a\n", ""), owned.__contains__) == ""
    # a git diff is cut at its 'diff --git' lines first: a mangled section of another file
    # (real list mail: a mailer ate the space before a context line) does not hide the rest
    mangled = section("arch/x86/entry/calling.h").replace("-a\n", "\tandq $1, %rax\n")
    kept = section("include/linux/swapops.h")
    assert trim_diff(mangled + kept, owned.__contains__) == kept


def test_a_diff_line_quoted_in_the_commit_message_does_not_hide_the_patch(tmp_path):
    """The diff starts after the '---' that ends the message, even when the message quotes a
    'diff --git' line; and a quilt-style diff (no 'diff --git' headers) is read the same."""
    original = (CORPUS / "06-marker-mask-not-updated" / "0001-guard.patch").read_text()
    text = original.replace(
        "Signed-off-by:",
        "Same idea as\n\ndiff --git a/Documentation/mm/guard.rst b/Documentation/mm/guard.rst\n\n"
        "in the docs series.\n\nSigned-off-by:",
        1,
    )
    text = "".join(
        line for line in text.splitlines(keepends=True)
        if not line.startswith(("diff --git a/include", "index "))
    )  # fmt: skip
    path = tmp_path / "0001-guard.patch"
    path.write_text(text)
    code, data = review_json("--spec", "6.12", str(path))
    assert [[f["rule"], f["file"], f["line"]] for f in data["findings"]] == [
        ["SWP401", "include/linux/swapops.h", 435],
        ["SWP202", "include/linux/swapops.h", 435],
    ]
    assert code == 1


def test_a_removed_dash_dash_line_is_not_taken_for_the_end_of_the_message():
    import email
    import email.policy

    from codegen.review.series import patch_from_message

    diff = (
        "diff --git a/include/linux/swapops.h b/include/linux/swapops.h\n"
        "--- a/include/linux/swapops.h\n+++ b/include/linux/swapops.h\n"
        "@@ -1,2 +1,1 @@\n x\n---\n"  # the removed line is '--'
        "diff --git a/mm/memory.c b/mm/memory.c\n"
        "--- a/mm/memory.c\n+++ b/mm/memory.c\n@@ -1,1 +1,1 @@\n-a\n+b\n"
    )
    mail = f"Subject: [PATCH] mm: x\n\nA diff sent without a format-patch separator.\n\n{diff}"
    message = email.message_from_string(mail, policy=email.policy.default)
    patch = patch_from_message(message, "test")
    assert patch is not None and patch.diff == diff


def test_a_define_whose_body_alone_changes_is_a_changed_define(tmp_path):
    """hexagon's and xtensa's exclusive patches change __swp_offset and __swp_entry on
    their continuation lines only, the #define line kept as context: the layout changed
    all the same, and from a diff alone it cannot be evaluated (before, the spec's old
    layout was taken, and the new exclusive bit 6 called a clash with the offset)."""
    body = corpus_mail("22-foreign-arch-incomplete").split("\n---\n", 1)[0]
    diff = (
        "\n---\n"
        "diff --git a/arch/hexagon/include/asm/pgtable.h b/arch/hexagon/include/asm/pgtable.h\n"
        "--- a/arch/hexagon/include/asm/pgtable.h\n+++ b/arch/hexagon/include/asm/pgtable.h\n"
        "@@ -385,3 +385,3 @@\n"
        " #define __swp_offset(swp_pte) \\\n"
        "-\t((((swp_pte).val >> 6) & 0xf) | (((swp_pte).val >> 9) & 0x7ffff0))\n"
        "+\t((((swp_pte).val >> 7) & 0x7) | (((swp_pte).val >> 10) & 0x3ffff8))\n"
        " \n"
    )
    code, data = review_text(tmp_path, body + diff, "--spec", "6.1")
    assert code == 0  # a warning: the layout is not evaluated, not found wrong
    assert [(f["rule"], f["line"]) for f in data["findings"]] == [("SWP590", 385)]
    assert "changes the hexagon swap-entry layout" in data["findings"][0]["message"]
