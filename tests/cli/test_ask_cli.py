"""`briefbot ask`, `console` and `run` as a user runs them."""

from __future__ import annotations

import json
import shlex

from tests.conftest import RunBot

CONTRACT_KEYS = {"query", "answered", "results", "suggestions", "showing_results_for", "not_covered", "reason"}
RESULT_KEYS = {"id", "text", "sources", "score"}


def test_ask_json_follows_the_contract(run_bot: RunBot) -> None:
    proc = run_bot("ask", "--json", "who is Leif-Eric Easley")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert set(answer) == CONTRACT_KEYS
    assert answer["query"] == "who is Leif-Eric Easley"
    assert answer["answered"] is True
    for result in answer["results"]:
        assert set(result) == RESULT_KEYS
        assert isinstance(result["score"], float)
        assert result["sources"] and all(set(s) == {"article", "quote"} for s in result["sources"])
    assert "easley" in answer["results"][0]["text"].lower()
    scores = [r["score"] for r in answer["results"]]
    assert scores == sorted(scores, reverse=True)


def test_batch_prints_one_json_object_per_line_in_order(run_bot: RunBot) -> None:
    questions = ["where was kim's train spotted", "what's the recipe for kimchi", "", "crabmeat dumplings"]
    proc = run_bot("ask", "--json", "--batch", "-", stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(questions)
    answers = [json.loads(line) for line in lines]
    assert [a["query"] for a in answers] == questions
    assert [a["answered"] for a in answers] == [True, False, False, True]
    assert all(set(a) == CONTRACT_KEYS for a in answers)
    assert answers[1]["results"] == [] and answers[1]["suggestions"]  # off-topic: no related snippets
    # A refusal says why, once ("It says nothing about …", not "Not covered …: it says …"); an answer has no reason.
    assert answers[1]["reason"] == "It reports on the summit and gives no how-to advice."
    assert answers[0]["reason"] is None


def test_json_shows_a_corrected_typo_and_a_card_as_a_result(run_bot: RunBot) -> None:
    proc = run_bot("ask", "--json", "peskoff")
    answer = json.loads(proc.stdout)
    assert answer["showing_results_for"] == "peskov"
    card = answer["results"][0]
    assert card["id"] == "entity:dmitry-peskov"
    assert "Kremlin spokesperson" in card["text"] and card["sources"]
    assert json.loads(run_bot("ask", "--json", "kim putin summit").stdout)["showing_results_for"] is None


def test_json_refusal_near_the_subject_lists_related_snippets_unanswered(run_bot: RunBot) -> None:
    answer = json.loads(run_bot("ask", "--json", "did kim go to the ballet").stdout)
    assert answer["answered"] is False
    assert answer["results"] and all(set(r) == RESULT_KEYS for r in answer["results"])


def test_chat_markup_is_ignored(run_bot: RunBot) -> None:
    plain = json.loads(run_bot("ask", "--json", "where did kim meet putin").stdout)
    question = "<@123> **where** did <@&9> kim meet putin?? 🚂 @everyone https://x.example/a <#5> @briefbot"
    noisy = json.loads(run_bot("ask", "--json", question).stdout)
    assert noisy["answered"] and noisy["results"][0]["id"] == plain["results"][0]["id"]


def test_ask_text_shows_sources_and_certainty(run_bot: RunBot) -> None:
    proc = run_bot("ask", "what did peskov say about washington")
    assert proc.returncode == 0, proc.stderr
    assert "source: [a4]" in proc.stdout
    assert "[Claim by a named party: Dmitry Peskov]" in proc.stdout


def test_ask_without_a_question_explains_usage(run_bot: RunBot) -> None:
    proc = run_bot("ask")
    assert proc.returncode == 2
    assert "give a question" in proc.stderr


def test_console_answers_the_same_as_the_cli(run_bot: RunBot) -> None:
    question = "where did kim and putin meet"
    cli = json.loads(run_bot("ask", "--json", question).stdout)
    console = run_bot("console", stdin=f"/ask {question}\n/quit\n")
    assert console.returncode == 0, console.stderr
    top = cli["results"][0]
    assert " ".join(top["text"].split())[:60] in " ".join(console.stdout.split())
    assert f"[{top['sources'][0]['article']}]" in console.stdout


def test_console_speaks_the_discord_commands(run_bot: RunBot) -> None:
    proc = run_bot("console", stdin="/who Jo Chun Yong\n/topic sanctions\n/help\n")
    assert proc.returncode == 0, proc.stderr
    assert "Jo Chun" in proc.stdout
    assert "Sanctions and the UN" in proc.stdout
    assert "/timeline" in proc.stdout


def test_run_without_a_token_starts_the_console_and_says_how_to_connect(run_bot: RunBot) -> None:
    proc = run_bot("run", stdin="/sources\n")
    assert proc.returncode == 0, proc.stderr
    assert "DISCORD_TOKEN" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "[a0]" in proc.stdout


def test_a_suggested_command_with_an_apostrophe_reads_as_typed() -> None:
    from bot.adapters.text import suggestion
    from bot.commands.registry import Surface

    line = suggestion("/topic Kim's journey", Surface.cli)
    assert line == "briefbot topic \"Kim's journey\""
    assert shlex.split(line) == ["briefbot", "topic", "Kim's journey"]
    # Where double quotes would not keep the text as it is, the shell's own quoting.
    assert shlex.split(suggestion("/who $HOME's", Surface.cli))[2] == "$HOME's"
