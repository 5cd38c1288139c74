"""The regex sentence splitter (verify.ingest.sentences): one test per rule class, every span
exact (``text[start:end]`` is the sentence, no surrounding whitespace, in order)."""

from __future__ import annotations

import random

import pytest

from verify.ingest.sentences import split_sentences


def _split(text: str) -> list[str]:
    spans = split_sentences(text)
    last = 0
    for start, end in spans:
        assert last <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        last = end
    return [text[s:e] for s, e in spans]


CASES = {
    "plain stops": ("Hello World. My name is Jonas. What is your name? There it is! I found it.",
                    ["Hello World.", "My name is Jonas.", "What is your name?", "There it is!",
                     "I found it."]),
    "titles": ("Mr. Smith met Mrs. Jones and Dr. Okafor. Prof. Lee and St. Michael came. I can see "
               "Mt. Fuji from here.",
               ["Mr. Smith met Mrs. Jones and Dr. Okafor.", "Prof. Lee and St. Michael came.",
                "I can see Mt. Fuji from here."]),
    "company abbreviations mid-sentence": (
        "Were Jane and co. at the party? They closed the deal with Pitt, Briggs & Co. at noon. "
        "Apple Inc. Chief Executive Tim Cook spoke.",
        ["Were Jane and co. at the party?", "They closed the deal with Pitt, Briggs & Co. at noon.",
         "Apple Inc. Chief Executive Tim Cook spoke."]),
    "company abbreviations ending a sentence": (
        "Let's ask Jane and co. They should know. The deal was with Briggs & Co. It closed "
        "yesterday. Fruit, nuts, etc. The rest was sold.",
        ["Let's ask Jane and co.", "They should know.", "The deal was with Briggs & Co.",
         "It closed yesterday.", "Fruit, nuts, etc.", "The rest was sold."]),
    "jr and street": ("That is JFK Jr.'s book. Martin Luther King Jr. He spoke. St. Michael's "
                      "Church is on 5th st. near the light. He lives on Main St. Then he moved.",
                      ["That is JFK Jr.'s book.", "Martin Luther King Jr.", "He spoke.",
                       "St. Michael's Church is on 5th st. near the light.",
                       "He lives on Main St.", "Then he moved."]),
    "dotted acronyms": ("I visited the U.S.A. last year. I live in the U.S. How about you? I work "
                        "for the U.S. Government in Virginia. I have lived in the E.U. for 20 years.",
                        ["I visited the U.S.A. last year.", "I live in the U.S.",
                         "How about you?", "I work for the U.S. Government in Virginia.",
                         "I have lived in the E.U. for 20 years."]),
    "e.g. and i.e.": ("Use a tool, e.g. The Guardian's checker. Or i.e. One of them. Was it e.g. a "
                      "test? Yes.",
                      ["Use a tool, e.g. The Guardian's checker.", "Or i.e. One of them.",
                       "Was it e.g. a test?", "Yes."]),
    "a.m. and p.m.": ("At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith "
                      "then went to the store. He called at 3 p.m. Eastern time.",
                      ["At 5 a.m. Mr. Smith went to the bank.", "He left the bank at 6 P.M.",
                       "Mr. Smith then went to the store.", "He called at 3 p.m. Eastern time."]),
    "number abbreviations": ("Please turn to p. 55. He lives at No. 5 Downing St. The answer is "
                             "No. It is at N°. 1026.253.553. That is where it is.",
                             ["Please turn to p. 55.", "He lives at No. 5 Downing St.",
                              "The answer is No.", "It is at N°. 1026.253.553.",
                              "That is where it is."]),
    "months": ("They met on Jan. 5, 2020. They met again in Feb. The talks failed. Sept. 11 is "
               "remembered.",
               ["They met on Jan. 5, 2020.", "They met again in Feb.", "The talks failed.",
                "Sept. 11 is remembered."]),
    "initials": ("J. R. R. Tolkien wrote it. My name is Jonas E. Smith. George W. Bush met John A. "
                 "May. We make a good team, you and I. Did you see Albert I. Jones? Malcolm X. He "
                 "spoke.",
                 ["J. R. R. Tolkien wrote it.", "My name is Jonas E. Smith.",
                  "George W. Bush met John A. May.", "We make a good team, you and I.",
                  "Did you see Albert I. Jones?", "Malcolm X.", "He spoke."]),
    "decimals and versions": ("She has $100.00 in her bag. She has $100.00. It rose 1.2 percent. "
                              "Version 2.3.1 shipped. In 2019. 2020 was different.",
                              ["She has $100.00 in her bag.", "She has $100.00.",
                               "It rose 1.2 percent.", "Version 2.3.1 shipped.", "In 2019.",
                               "2020 was different."]),
    "emails and urls": ("Her email is Jane.Doe@example.com. I sent her an email. The site is: "
                        "https://www.example.50.com/new-site/awesome_content.html. Please check it.",
                        ["Her email is Jane.Doe@example.com.", "I sent her an email.",
                         "The site is: https://www.example.50.com/new-site/awesome_content.html.",
                         "Please check it."]),
    "quotes and brackets": ("She turned to him, 'This is great.' she said. She said, \"This is "
                            "great.\" She held the book. He said \u201cno.\u201d Then he left. (See "
                            "Fig. 3.) The end. He teaches (He worked as an engineer.) at a college.",
                            ["She turned to him, 'This is great.' she said.",
                             "She said, \"This is great.\"", "She held the book.",
                             "He said \u201cno.\u201d", "Then he left.", "(See Fig. 3.)",
                             "The end.", "He teaches (He worked as an engineer.) at a college."]),
    "?! runs and exclamations in names": ("Hello!! Long time. Hello?? Who? Hello!? You? Hello?! Me. "
                                          "She works at Yahoo! in accounting.",
                                          ["Hello!!", "Long time.", "Hello??", "Who?", "Hello!?",
                                           "You?", "Hello?!", "Me.",
                                           "She works at Yahoo! in accounting."]),
    "ellipses": ("I never meant that.... She left. He won\u2026 She lost. I wasn't really ... well, "
                 "I mean...see . . . the thing is . . . I didn't mean it. End with a period . . . . "
                 "Next sentence.",
                 ["I never meant that....", "She left.", "He won\u2026", "She lost.",
                  "I wasn't really ... well, I mean...see . . . the thing is . . . I didn't mean it.",
                  "End with a period . . . .", "Next sentence."]),
    "ellipsis after a period opens the next sentence": (
        "It combined words into compounds. . . . The practice was not abandoned. . . .",
        ["It combined words into compounds.", ". . . The practice was not abandoned. . . ."]),
    "bracketed ellipsis": ("\"Bohr [...] used the analogy of stairways [...]\" (Smith 55). Next.",
                           ["\"Bohr [...] used the analogy of stairways [...]\" (Smith 55).",
                            "Next."]),
    "inline numbered lists": ("1.) The first item 2.) The second item. 1) One. 2) Two.",
                              ["1.) The first item", "2.) The second item.", "1) One.", "2) Two."]),
    "inline lists with periods": ("1. The first item. 2. The second item. Steps: 1. Open the door "
                                  "2. Walk in",
                                  ["1. The first item.", "2. The second item.", "Steps:",
                                   "1. Open the door", "2. Walk in"]),
    "bulleted and lettered lists": ("\u2022 9. The first item \u2022 10. The second item",
                                    ["\u2022 9. The first item", "\u2022 10. The second item"]),
    "hyphen bullets": ("\u20439. The first item \u204310. The second item",
                       ["\u20439. The first item", "\u204310. The second item"]),
    "lettered lists": ("a. The first item b. The second item c. The third item",
                       ["a. The first item", "b. The second item", "c. The third item"]),
    "numbers out of sequence are no list": ("I scored 1. Then I scored 2. Then 3. Type a. Then b. "
                                            "Done.",
                                            ["I scored 1.", "Then I scored 2.", "Then 3.",
                                             "Type a.", "Then b.", "Done."]),
    "line lists and paragraphs": ("Shopping list:\n1. Eggs. Fresh ones.\n2. Milk\n- Bread\n\nA new "
                                  "paragraph without a stop\n\nLast one.",
                                  ["Shopping list:", "1. Eggs.", "Fresh ones.", "2. Milk",
                                   "- Bread", "A new paragraph without a stop", "Last one."]),
    "lower-case next word does not cut": ("The iPhone rose 5. iPads fell.",
                                          ["The iPhone rose 5. iPads fell."]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_rule_class(name: str) -> None:
    text, expected = CASES[name]
    assert _split(text) == expected


def test_offsets_are_exact_with_surrounding_whitespace() -> None:
    text = "  \n Dr. Lee spoke.   It rained.\t\n\n  1. One 2. Two  \n"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Dr. Lee spoke.", "It rained.", "1. One", "2. Two"]
    assert spans[0] == (text.index("Dr."), text.index("spoke.") + len("spoke."))


@pytest.mark.parametrize("text", ["", "   ", "\n\n", ".", "...", ". . .", "1.", "a) b", "?!"])
def test_degenerate_inputs(text: str) -> None:
    assert "".join(_split(text)).replace(" ", "") == "".join(text.split())


def test_random_token_soup_keeps_every_character() -> None:
    rng = random.Random(11)
    words = ["alpha", "Beta", "U.S.", "Dr.", "1.5", "gamma.", "Delta!", "e.g.", "\n\n", "x?", "Jan.",
             "1.", "2.", "a.", "b)", ". . .", "...", "\u2026", "I.", "J.", "(see", "it.)", "\"no.\"",
             "\u2022", "\n", "N°.", "a.m.", "co.", "The", "How"]
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 60)))
        got = _split(text)
        # nothing lost, nothing doubled
        assert "".join("".join(s.split()) for s in got) == "".join(text.split())


def test_pysbd_golden_rules() -> None:
    """pySBD's 48 English golden rules, from the module its wheel installs (skipped without it)."""
    from importlib import metadata
    from pathlib import Path

    from benchmarks.ingest import load_golden_rules

    try:
        path = Path(str(metadata.distribution("pysbd").locate_file(
            "benchmarks/english_golden_rules.py")))
    except metadata.PackageNotFoundError:
        pytest.skip("pysbd is not installed")
    if not path.exists():
        pytest.skip("pysbd's golden rules module is not installed")
    rules = load_golden_rules(path)
    wrong = [text for text, expected in rules if _split(text) != expected]
    assert len(rules) == 48 and not wrong, wrong
