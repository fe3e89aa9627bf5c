"""Exercises answered as values to numbered questions (judgements and quizzes).

For every questions exercise of every lesson: the lesson's markdown asks exactly the
declared questions (numbered, with the declared letters), the source's answers pass the
self-check and earn full points from the grader, the learner version keeps the answer
template, and the student kit's JSON holds no answer. Then the pieces: declarations that
are wrong, normal forms, and partial points for partly right or hostile answers.
"""

from __future__ import annotations

import ast
import json
import re

import pytest
from graded_support import SECRET, ask, headings_and_solutions

from labkit.exercises.declare import Exercise
from labkit.exercises.public import public_view, to_json
from labkit.exercises.questions import Question, normal_form
from labkit.grading.grade import _score_questions
from labkit.lessons import exercises_for, lesson_numbers
from labkit.paths import lesson_sources
from labkit.release import release_source
from labkit.selfcheck import check

SOURCES = {path.name[:2]: path for path in lesson_sources()}
QUESTIONS = [
    exercise
    for number in lesson_numbers()
    for exercise in exercises_for(number)
    if exercise.kind == "questions"
]
_QUESTION = re.compile(r"^(\d+)\. ", re.MULTILINE)
_CHOICE = re.compile(r"^\s+- \(([a-h])\) ", re.MULTILINE)


def _markdown_of(exercise: Exercise) -> str:
    """The markdown cell that holds ``exercise``'s heading and questions."""
    cells = json.loads(SOURCES[exercise.id[:2]].read_text(encoding="utf-8"))["cells"]
    heading = re.compile(rf"^### (Exercise|Quiz) {re.escape(exercise.id)} — ", re.MULTILINE)
    [text] = [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "markdown" and heading.search("".join(c["source"]))
    ]
    return text


def _asked(markdown: str) -> list[str]:
    """Each numbered question's text, options included."""
    starts = list(_QUESTION.finditer(markdown))
    ends = [match.start() for match in starts[1:]] + [len(markdown)]
    return [markdown[s.start() : end] for s, end in zip(starts, ends, strict=True)]


def _by_id(exercise: Exercise) -> str:
    return exercise.id


@pytest.mark.parametrize("number", lesson_numbers())
def test_every_lesson_has_a_judgement_and_ends_with_a_quiz_of_six_to_ten_questions(number):
    *_, last = exercises_for(number)
    assert last.kind == "questions" and 6 <= len(last.questions) <= 10
    assert f"### Quiz {last.id} — " in _markdown_of(last)
    quizzes = [
        e for e in exercises_for(number) if e.kind == "questions" and "### Quiz" in _markdown_of(e)
    ]
    assert quizzes == [last], "one quiz per lesson, after its other exercises"
    others = exercises_for(number)[:-1]
    assert any(e.kind == "questions" for e in others), "a judgement exercise besides the quiz"


@pytest.mark.parametrize("exercise", QUESTIONS, ids=_by_id)
def test_the_markdown_asks_the_declared_questions(exercise):
    asked = _asked(_markdown_of(exercise))
    assert [int(q.split(".")[0]) for q in asked] == list(range(1, len(exercise.questions) + 1))
    for number, (text, question) in enumerate(zip(asked, exercise.questions, strict=True), 1):
        assert "".join(_CHOICE.findall(text)) == question.choices, f"question {number}"
        if not question.choices:
            wanted = "(a whole number)" if question.decimals == 0 else f"({question.decimals} "
            assert wanted in " ".join(text.split()), f"question {number} must say {wanted}"


def _answers_in_solution(exercise: Exercise) -> dict:
    """The dict literal the solution cell finally assigns to the exercise's name (an
    experiment's solution also holds the code that found the answers: it needs the lesson)."""
    _, solutions = headings_and_solutions(SOURCES[exercise.id[:2]])
    assignments = [
        node.value
        for node in ast.parse(solutions[exercise.id]).body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == exercise.name
    ]
    return ast.literal_eval(assignments[-1])


@pytest.mark.parametrize("exercise", QUESTIONS, ids=_by_id)
def test_the_sources_answers_are_right_for_the_self_check_and_the_grader(exercise, capsys):
    answers = _answers_in_solution(exercise)
    assert check(exercise.id, answers) is True, capsys.readouterr().out
    [case] = exercise.make_cases(SECRET, "ada")
    kind, got = ask({exercise.name: answers}, exercise, case.args)
    assert kind == "answer"
    result = _score_questions(exercise, got, case.expected)
    assert (result.status, result.points) == ("correct", exercise.points)


@pytest.mark.parametrize("exercise", QUESTIONS, ids=_by_id)
def test_the_learner_keeps_the_template_and_the_kit_holds_no_answer(exercise):
    _, solutions = headings_and_solutions(SOURCES[exercise.id[:2]])
    learner = release_source(solutions[exercise.id])
    blank = "{" + ", ".join(f"{n}: None" for n in range(1, len(exercise.questions) + 1)) + "}"
    assert f"{exercise.name} = {blank}" in learner.splitlines()
    assert "BEGIN" not in learner and learner.count(f"{exercise.name} =") == 1
    kit = json.loads(to_json([public_view(exercise)]))[0]
    assert all(set(q) == {"choices", "decimals", "hint", "digest"} for q in kit["questions"])


def _quiz(*questions: Question) -> Exercise:
    return Exercise(id="99.ex1", name="quiz", points=3, kind="questions", questions=questions)


QUIZ = _quiz(
    Question("b", choices="abc", hint="Look at figure 2."),
    Question(12, hint="Count the steps."),
    Question(0.25, decimals=2, hint="One in four."),
)


def _grade(answers: dict) -> tuple[str, float, str]:
    [case] = QUIZ.make_cases(SECRET, "ada")
    kind, got = ask({"quiz": answers}, QUIZ, case.args)
    if kind != "answer":
        return kind, 0.0, ""
    result = _score_questions(QUIZ, got, case.expected)
    return result.status, result.points, result.reason


def test_each_right_answer_earns_its_share():
    assert _grade({1: "B ", 2: 12.0, 3: 0.2501}) == ("correct", 3, "")
    assert _grade({1: "b", 2: 11, 3: 0.25}) == ("partly right", 2.0, "2 of 3 right (not right: 2)")
    assert _grade({1: "c", 2: 11, 3: None})[:2] == ("wrong", 0.0)
    assert _grade({1: None, 2: None, 3: None})[:2] == ("not attempted", 0.0)


@pytest.mark.parametrize(
    "junk",
    [
        {1: True, 2: "12", 3: [0.25]},
        {1: "bb", 2: float("nan"), 3: 1e308},
        {1: "b; import os", 2: True, 3: "0.25"},
        {1: ["b"], 2: {"a": 1}, 3: -0.0},
    ],
)
def test_junk_answers_are_wrong_not_a_crash(junk):
    status, points, _ = _grade(junk)
    assert points == 0 and status in ("wrong", "error")


def test_an_answer_that_is_not_a_dict_is_an_error_for_the_grader_and_the_self_check(capsys):
    assert ask({"quiz": ["b", 12, 0.25]}, QUIZ, ())[0] == "error"
    assert _score_questions(QUIZ, ["b", 12], ["b", "12", "0.25"]).status == "error"


def test_normal_forms():
    letter, number = Question("a", choices="ab", hint="h"), Question(1.5, decimals=1, hint="h")
    assert normal_form(letter, " A\n") == "a" and normal_form(letter, "c") is None
    assert [normal_form(number, x) for x in (1.46, 3 / 2, 1.54, -0.04)] == ["1.5"] * 3 + ["0.0"]
    assert [normal_form(number, x) for x in (True, "1.5", float("inf"), None)] == [None] * 4


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (dict(answer="a", hint="h", choices="abd"), "first letters in order"),
        (dict(answer="a", hint="h", choices="a"), "first letters in order"),
        (dict(answer="e", hint="h", choices="abcd"), "not one of"),
        (dict(answer="a", hint="h"), "needs a number"),
        (dict(answer=1, hint=" "), "needs a hint"),
        (dict(answer=1, hint="h", decimals=7), "at most 6"),
    ],
)
def test_a_wrong_question_is_an_error(question, message):
    with pytest.raises(ValueError, match=message):
        Question(**question)


def test_a_questions_exercise_is_declared_by_its_questions_only():
    one = Question(1, hint="h")
    with pytest.raises(ValueError, match="1 to 10 questions"):
        _quiz()
    with pytest.raises(ValueError, match="1 to 10 questions"):
        _quiz(*[one] * 11)
    with pytest.raises(ValueError, match="questions= only"):
        Exercise(id="99.ex1", name="q", points=1, kind="questions", questions=[one], cases=list)
    with pytest.raises(ValueError, match="questions= are for"):
        Exercise(id="99.ex1", name="v", points=1, kind="value", questions=[one])


def test_the_self_check_gives_each_wrong_answers_hint_and_not_the_answer(capsys, monkeypatch):
    import labkit.selfcheck as selfcheck

    monkeypatch.setattr(selfcheck, "_public_view", lambda exercise_id: public_view(QUIZ))
    assert check("99.ex1", {1: "a", 2: 12, 3: "x"}) is False
    printed = " ".join(capsys.readouterr().out.split())
    assert "1 of 3 right" in printed and "Question 1: Look at figure 2." in printed
    assert "Question 3 needs a number; received 'x'" in printed and "'b'" not in printed
    assert check("99.ex1", {1: "b", 2: 12, 3: 0.25}) is True
    assert "all 3 answers are right" in capsys.readouterr().out
