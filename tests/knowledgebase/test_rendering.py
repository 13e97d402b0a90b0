"""Plain text and excerpts of KB articles (knowledgebase.rendering)."""

from knowledgebase.rendering import make_excerpt, render_markdown, render_plaintext


def test_plaintext_drops_markup_and_separates_blocks():
    body = (
        "# Reset your password\n\n"
        "Open **Settings** and click [Reset](https://x.example).\n\n"
        "- first\n- second\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "<script>alert(1)</script>\n\nDone &amp; dusted."
    )

    assert render_plaintext(body) == (
        "Reset your password\n\n"
        "Open Settings and click Reset.\n\n"
        "- first\n- second\n\n"
        "a | b\n1 | 2\n\n"
        "Done & dusted."
    )


def test_plaintext_collapses_whitespace_but_keeps_code_lines():
    body = "Some   text\nwrapped    here.\n\n```\nif x:\n    y()\n```"

    assert render_plaintext(body) == "Some text wrapped here.\n\nif x:\n    y()"


def test_plaintext_numbers_ordered_lists_and_indents_nested_ones():
    body = "1. one\n2. two\n    - inner"

    assert render_plaintext(body) == "1. one\n2. two\n  - inner"


def test_excerpt_cuts_at_word_boundary_with_ellipsis():
    excerpt = make_excerpt("The quick brown fox jumps over the lazy dog", length=20)

    assert excerpt == "The quick brown fox…"
    assert len(excerpt) <= 20


def test_excerpt_does_not_split_a_word():
    excerpt = make_excerpt("alpha beta gamma delta", length=14)

    assert excerpt == "alpha beta…"


def test_excerpt_drops_trailing_punctuation_before_ellipsis():
    assert make_excerpt("Hello, world and more", length=8) == "Hello…"


def test_excerpt_of_short_text_is_unchanged_plaintext():
    assert make_excerpt("## Short *note*\n\nSecond para.") == "Short note Second para."


def test_excerpt_hard_cuts_a_single_long_word():
    assert make_excerpt("a" * 50, length=10) == "a" * 9 + "…"


def test_empty_input_gives_empty_output():
    assert render_markdown("") == ""
    assert render_plaintext("") == ""
    assert make_excerpt("") == ""
